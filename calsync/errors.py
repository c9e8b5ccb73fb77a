"""The exception tree; only the CLI turns these into messages and exit codes."""
from __future__ import annotations

from collections.abc import Iterable

EX_SOFTWARE = 70
EX_NOINPUT = 66
EX_TEMPFAIL = 75
EX_NOPERM = 77
EX_CONFIG = 78


class CalsyncError(Exception):
    """Root of every error calsync reports to the user."""

    exit_code = 1


class ConfigError(CalsyncError, ValueError):
    """One or more configuration problems, each with its dotted path."""

    exit_code = EX_CONFIG

    def __init__(self, problems: Iterable[str], file: str | None = None) -> None:
        self.problems = list(problems)
        self.file = file
        where = f"{file}: " if file else ""
        super().__init__(where + "; ".join(self.problems) if self.problems else where + "invalid configuration")


class SourceError(CalsyncError):
    """A source could not be read: missing file, unreachable URL, broken calendar."""

    exit_code = EX_NOINPUT


class StateError(CalsyncError):
    """The state database could not be opened or written."""

    exit_code = EX_SOFTWARE


class AuthError(CalsyncError):
    """Authorization is missing or was revoked; only `calsync auth` can fix it."""

    exit_code = EX_NOPERM


class TransientError(CalsyncError):
    """Worth retrying later: rate limits, 5xx, timeouts."""

    exit_code = EX_TEMPFAIL


class UsageError(CalsyncError):
    """The command line itself is wrong (like argparse's own errors)."""

    exit_code = 2
