"""`python -m calsync`: the command line."""
import sys

from calsync.cli.main import main

sys.exit(main())
