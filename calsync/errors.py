"""The exception tree; only the CLI turns these into messages and exit codes."""
from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterable

EX_NOINPUT = 66
EX_SOFTWARE = 70
EX_CANTCREAT = 73
EX_IOERR = 74
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
    """The state database could not be opened, read or written (full or read-only disk, damaged file)."""

    exit_code = EX_IOERR


class AlreadyRunning(CalsyncError):
    """Another calsync process holds the state directory's lock."""

    exit_code = EX_CANTCREAT


class AuthError(CalsyncError):
    """Authorization is missing or was revoked; only `calsync auth` can fix it."""

    exit_code = EX_NOPERM


class TransientError(CalsyncError):
    """Worth retrying later: rate limits, 5xx, timeouts."""

    exit_code = EX_TEMPFAIL


class UsageError(CalsyncError):
    """The command line itself is wrong (like argparse's own errors)."""

    exit_code = 2


_OS_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is exhausted; free some space",
    errno.EFBIG: "the file size limit was reached; free some space or raise the limit",
    errno.EROFS: "the filesystem is read-only; remount it read-write or move state_dir",
    errno.EACCES: "permission denied; check the owner and mode",
    errno.EPERM: "operation not permitted; check the owner and mode",
    errno.EADDRINUSE: "the address is already in use by another program",
    errno.EPIPE: "the reader went away",
}


def describe_os_error(exc: OSError) -> str:
    """One line for an operating-system error: what failed, where, and what to do."""
    what = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else ""
    advice = _OS_ADVICE.get(exc.errno or 0)
    return f"{what}{where} ({advice})" if advice else f"{what}{where}"


def _problem(exc: sqlite3.Error) -> tuple[str, str]:
    """(kind, advice) for an SQLite error: full, readonly, damaged, busy or io."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return "full", "the disk is full; free some space"
    if code == sqlite3.SQLITE_READONLY:
        return "readonly", "the state is read-only; make the state directory writable again"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return "damaged", f"the database is damaged; {DAMAGED_FIX}"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "busy", "another process kept the database busy; try again"
    if code == sqlite3.SQLITE_CANTOPEN:
        return "io", "check that the state directory exists and is writable"
    return "io", "check the disk (free space, `dmesg` for I/O errors)"


DAMAGED_FIX = "stop calsync, move state.sqlite3 aside and start it again (the feed token is kept; first-seen times and marks are lost)"


def state_error(path: str, verb: str, exc: sqlite3.Error) -> StateError:
    kind, advice = _problem(exc)
    error = StateError(f"{path}: cannot {verb} the state database ({exc}): {advice}")
    error.kind = kind  # type: ignore[attr-defined]
    return error


def login_notices(errors: dict[str, str]) -> list[str]:
    """One line per source or sink whose login failed (keys "source:NAME" / "sink:NAME"), each with what to do."""
    lines = []
    for key, error in sorted(errors.items()):
        role, _, name = key.partition(":")
        if error.startswith("CalDAV"):
            fix = "" if "password" in error else "; check the username and the (app-specific) password in its password_file"
            lines.append(f"{role} {name}: {error}{fix}")
        else:
            fix = "" if "calsync auth google" in error else "; run `calsync auth google --client-secrets FILE`"
            lines.append(f"{role} {name}: Google re-authorization needed ({error}){fix}")
    return lines
