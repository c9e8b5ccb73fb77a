"""The state directory: the database file (schema, creation, identity), one process at a time (an flock held
for its life, its pid and condition inside) and its health."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from pathlib import Path

from calsync.errors import AlreadyRunning, StateError, describe_os_error
from calsync.errors import DAMAGED_FIX, state_error

DB_NAME = "state.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions of a database, found by name
LOCK_FILE = "calsync.lock"
RECORD_SIZE = 512  # written whole at start, then overwritten in place: still possible on a full disk
ACQUIRE_PATIENCE_SECONDS = 2.0  # `calsync status` may hold a shared lock for an instant


# The database's schema, applied in order by StateStore (forward only; PRAGMA user_version counts them).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE interviews (
        uid TEXT PRIMARY KEY, source TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '', start TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE outcomes_seen (uid TEXT NOT NULL, kind TEXT NOT NULL, first_seen TEXT NOT NULL,
        PRIMARY KEY (uid, kind));
    CREATE TABLE marks (uid TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, recorded_at TEXT NOT NULL,
        PRIMARY KEY (uid, kind));
    CREATE TABLE sources (name TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
        body BLOB, last_ok TEXT, last_error TEXT, last_error_at TEXT, event_count INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE published (
        sink TEXT NOT NULL, fid TEXT NOT NULL, interview TEXT NOT NULL, kind TEXT NOT NULL,
        hash TEXT NOT NULL, sequence INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
        remote_etag TEXT NOT NULL DEFAULT '', payload BLOB, start TEXT NOT NULL DEFAULT '', due TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
        PRIMARY KEY (sink, fid));
    CREATE TABLE done (fid TEXT PRIMARY KEY, at TEXT NOT NULL);
    CREATE TABLE plan_items (fid TEXT PRIMARY KEY, interview TEXT NOT NULL, kind TEXT NOT NULL, start TEXT NOT NULL,
        due TEXT NOT NULL, channel TEXT NOT NULL, summary TEXT NOT NULL, missed INTEGER NOT NULL);
    """,
    """
    CREATE TABLE google_events (source TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (source, id));
    """,
    """
    CREATE TABLE suggestions (event TEXT PRIMARY KEY, summary TEXT NOT NULL, start TEXT NOT NULL, score REAL NOT NULL,
        reasons TEXT NOT NULL, choice TEXT NOT NULL DEFAULT 'open', decided_at TEXT);
    """,
    """
    CREATE TABLE source_bodies (name TEXT PRIMARY KEY, body BLOB NOT NULL);
    INSERT INTO source_bodies(name, body) SELECT name, body FROM sources WHERE body IS NOT NULL;
    CREATE TABLE sources_v4 (name TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
        last_ok TEXT, last_error TEXT, last_error_at TEXT, event_count INTEGER NOT NULL DEFAULT 0);
    INSERT INTO sources_v4 SELECT name, etag, last_modified, last_ok, last_error, last_error_at, event_count FROM sources;
    DROP TABLE sources;
    ALTER TABLE sources_v4 RENAME TO sources;
    """,  # snapshots apart: SQLite rewrites a whole row on UPDATE, and last_ok changes on every poll
)


class StateLock:
    """Held by `calsync run` and `calsync serve`; short commands (status, mark, feed-url) never take it."""

    def __init__(self, fd: int, path: Path, held: Path | None = None) -> None:
        self.fd, self.path, self.held = fd, path, held or path

    @classmethod
    def acquire(cls, state_dir: Path) -> "StateLock":
        path = state_dir / LOCK_FILE
        try:
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StateError(f"{state_dir}: cannot create the state directory: {describe_os_error(exc)}") from None
        fd, held = _open_for_locking(path)
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
        lock = cls(fd, path, held)
        lock.note("starting")
        return lock

    def lost(self) -> bool:
        """True when what this lock holds was deleted or replaced (the state directory removed, say)."""
        return file_identity(self.held) != _identity(os.fstat(self.fd))

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


def _open_for_locking(path: Path) -> tuple[int, Path]:
    """The lock file, writable when possible; on a read-only filesystem read-only, or the directory itself."""
    for target, flags in ((path, os.O_RDWR | os.O_CREAT), (path, os.O_RDONLY), (path.parent, os.O_RDONLY)):
        try:
            return os.open(target, flags | os.O_CLOEXEC, 0o600), target
        except OSError as exc:
            error = exc
    raise StateError(f"{path}: cannot open the lock file: {describe_os_error(error)}")


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file now at ``path``; None when there is none. Other errors raise OSError."""
    try:
        return _identity(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None


def open_database_file(path: Path) -> tuple[int, int]:
    """Make sure the database file exists, private (0600); its (device, inode) as opened.

    A new file is made under an flock on the directory, after removing the -wal, -shm and -journal
    files a deleted database left (a process may still hold it open): SQLite, finding them by
    name, would otherwise read them as part of the new database ("disk I/O error", or worse)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        fd = _create_database_file(path)
    try:
        os.fchmod(fd, 0o600)
        return _identity(os.fstat(fd))
    finally:
        os.close(fd)


def _create_database_file(path: Path) -> int:
    directory = os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(directory, fcntl.LOCK_EX)  # creators one at a time: none removes the side files of another's new file
        try:
            return os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            pass
        for suffix in SIDE_FILES:
            try:
                os.unlink(f"{path}{suffix}")
            except FileNotFoundError:
                pass
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    finally:
        os.close(directory)  # drops the flock


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


LOW_SPACE_BYTES = 1 << 20


def check_state_dir(state_dir: Path) -> list[tuple[bool, str, str]]:
    """(ok, what, fix) for the running daemon's condition, the database's integrity, free space and writability."""
    found: list[tuple[bool, str, str]] = []
    holder = running_holder(state_dir)
    if holder is not None:
        pid, condition = holder
        degraded = condition.startswith("degraded")
        found.append((not degraded, f"calsync (pid {pid}) is {condition or 'running'}",
                      "it keeps serving the last feed and retries on its own once this is fixed" if degraded else ""))
    db = state_dir / DB_NAME
    try:
        read_only = bool(os.statvfs(state_dir).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if db.exists():
        try:  # nothing can change a database on a read-only filesystem: read it without locks (WAL needs them)
            conn = sqlite3.connect(f"file:{db}?mode=ro{'&immutable=1' if read_only else ''}", uri=True, timeout=5)
            try:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                conn.close()
            found.append((True, f"{db} is intact", "") if result == "ok" else
                         (False, f"{db} is damaged ({result})", DAMAGED_FIX))
        except sqlite3.Error as exc:
            error = state_error(str(db), "read", exc)
            message = str(error)
            found.append((False, message.split(": ", 1)[1] if ": " in message else message, ""))
    try:
        stats = os.statvfs(state_dir)
    except OSError:
        return found
    if stats.f_flag & os.ST_RDONLY:
        found.append((False, f"{state_dir} is on a read-only filesystem", "remount it read-write, or set state_dir"))
    elif stats.f_bavail * stats.f_frsize < LOW_SPACE_BYTES:
        found.append((False, f"{state_dir} has only {stats.f_bavail * stats.f_frsize // 1024} KiB free", "free some space on that disk"))
    return found
