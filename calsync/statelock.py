"""One process per state directory: an flock held for the process's life, its pid and condition inside."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from calsync.errors import AlreadyRunning, StateError, describe_os_error

LOCK_FILE = "calsync.lock"
RECORD_SIZE = 512  # written whole at start, then overwritten in place: still possible on a full disk
ACQUIRE_PATIENCE_SECONDS = 2.0  # `calsync status` may hold a shared lock for an instant


class StateLock:
    """Held by `calsync run` and `calsync serve`; short commands (status, mark, feed-url) never take it."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd, self.path = fd, path

    @classmethod
    def acquire(cls, state_dir: Path) -> "StateLock":
        path = state_dir / LOCK_FILE
        try:
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StateError(f"{path}: cannot create the lock file: {describe_os_error(exc)}") from None
        deadline = time.monotonic() + ACQUIRE_PATIENCE_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    holder = _read_record(path)
                    pid = f" (pid {holder[0]})" if holder else ""
                    raise AlreadyRunning(f"{state_dir}: another calsync{pid} is already running on this state directory; "
                                         "stop it first, or give this one its own state_dir") from None
                time.sleep(0.05)
        lock = cls(fd, path)
        lock.note("starting")
        return lock

    def note(self, condition: str) -> None:
        """Record what the process is doing, for `calsync status`; never fails."""
        record = f"{os.getpid()}\n{condition}".encode("utf-8", "replace")[: RECORD_SIZE - 1] + b"\n"
        try:
            os.pwrite(self.fd, record.ljust(RECORD_SIZE), 0)
        except OSError:
            pass

    def release(self) -> None:
        os.close(self.fd)  # closing drops the flock; the file stays (unlinking it would race a starting process)

    def __enter__(self) -> "StateLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_record(path: Path) -> tuple[int, str] | None:
    try:
        pid, _, condition = path.read_text(encoding="utf-8", errors="replace").strip().partition("\n")
        return int(pid), condition.strip()
    except (OSError, ValueError):
        return None


def running_holder(state_dir: Path) -> tuple[int, str] | None:
    """(pid, condition) of the calsync holding the state directory, or None when none does."""
    path = state_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_record(path) or (0, "")
    finally:
        os.close(fd)
    return None
