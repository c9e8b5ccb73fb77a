"""The command line: argument parsing, one module per command group, doctor, output."""
from calsync.cli.main import main

__all__ = ["main"]
