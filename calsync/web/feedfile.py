"""The served feed: read and hashed once per change on disk, gzipped once per change; the token check.

Everything a request needs is held in memory and checked for change cheaply: the feed by one ``stat`` (mtime,
size, inode; the feed is replaced by rename, so every write changes the inode), the token hash by SQLite's
``data_version`` (which changes whenever another connection commits)."""
from __future__ import annotations

import email.utils
import gzip
import hashlib
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from calsync.web.token import META_KEY, file_token_hash, token_matches

FEED_NAME = "followups.ics"
FEED_HEADERS = (("Cache-Control", "private, max-age=0"), ("Vary", "Accept-Encoding"),
                ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))


@dataclass
class FeedVersion:
    """One version of the feed file: its bytes, validators and (made on first demand) its gzip form."""

    key: tuple[int, int, int]
    data: bytes
    etag: str
    last_modified: str
    mtime: float
    _gzipped: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _headers: dict[bool, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'

    @property
    def gzip_ready(self) -> bool:
        return self._gzipped is not None

    def headers(self, gzipped: bool) -> list[tuple[str, str]]:
        """The validators and caching headers of one representation (made once; callers copy before adding)."""
        made = self._headers.get(gzipped)
        if made is None:
            made = self._headers[gzipped] = [("ETag", self.gzip_etag if gzipped else self.etag),
                                             ("Last-Modified", self.last_modified), *FEED_HEADERS]
        return made

    def gzipped(self) -> bytes:
        """Compressed once per version, whoever asks first (the others wait for that one result)."""
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.data, compresslevel=6, mtime=0)
            return self._gzipped


class FeedFile:
    """The feed file, re-read only when its mtime, size or inode change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: FeedVersion | None = None
        self._lock = threading.Lock()

    def _disk_key(self) -> tuple[int, int, int] | None:
        """(mtime_ns, size, inode) of the file now, or None when it cannot be seen."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def cached(self) -> FeedVersion | None:
        """The version in memory if the file on disk is still that version (one ``stat``, no read), else None."""
        cached = self._cached
        return cached if cached is not None and cached.key == self._disk_key() else None

    def current(self) -> FeedVersion | None:
        key = self._disk_key()
        if key is None:
            return None
        with self._lock:
            if self._cached is None or self._cached.key != key:
                try:
                    data = self.path.read_bytes()
                except OSError:
                    return None
                etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
                self._cached = FeedVersion(key, data, etag, email.utils.formatdate(key[0] / 1e9, usegmt=True), key[0] / 1e9)
            return self._cached


class _StoredHash:
    """One read-only connection to the database and the token hash it read last, with the data_version then."""

    def __init__(self, db_path: Path, timeout: float) -> None:
        self.path, self.timeout = db_path, timeout
        self.db: sqlite3.Connection | None = None
        self.opened: tuple[int, int] | None = None  # the file's (device, inode): deleted or replaced, it is opened again
        self.data_version: int | None = None
        self.expected: bytes | None = None

    def read(self) -> bytes | None:
        """The stored hash (None: no token yet); raises sqlite3.Error or ValueError when it cannot be read."""
        try:
            if self.db is not None and self.opened != _identity(self.path):
                self.close()
            if self.db is None:
                self.opened = _identity(self.path)
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                                          timeout=self.timeout)
                self.data_version = None
            version = self.db.execute("PRAGMA data_version").fetchone()[0]
            if version != self.data_version:
                row = self.db.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
                self.expected = bytes.fromhex(row[0]) if row and row[0] else None
                self.data_version = version
            return self.expected
        except (sqlite3.Error, ValueError):
            self.data_version = None
            raise

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class TokenCheck:
    """The stored token hash, kept in memory and read again only after the database changed, so a rotation (by
    this process or `calsync rotate-feed-token`) takes effect at once; checking for change is SQLite's
    ``PRAGMA data_version``, a read of the shared-memory header, not a query of the table.

    When the database cannot be read (damaged, missing, on a read-only disk), the token file decides.
    ``quick_hash`` is for the server's loop thread: it never waits (its own connection, no busy timeout) and
    says None when only waiting could tell."""

    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        self._stored, self._lock = _StoredHash(db_path, timeout=5), threading.Lock()
        self._quick, self._quick_lock = _StoredHash(db_path, timeout=0), threading.Lock()

    def __call__(self, candidate: bytes) -> bool:
        with self._lock:
            try:
                expected = self._stored.read()
            except (sqlite3.Error, ValueError):
                expected = file_token_hash(self._path.parent)
        return expected is not None and token_matches(candidate, expected)

    def quick_hash(self) -> bytes | None:
        """The stored hash if it can be known without waiting; None when it cannot, or no token is stored."""
        if not self._quick_lock.acquire(blocking=False):
            return None
        try:
            return self._quick.read()
        except (sqlite3.Error, ValueError):
            return None
        finally:
            self._quick_lock.release()

    def close(self) -> None:
        for stored, lock in ((self._stored, self._lock), (self._quick, self._quick_lock)):
            with lock:
                stored.close()


def accepts_gzip(header: str) -> bool:
    """True when Accept-Encoding names gzip (or *) without q=0."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and q[2:].strip().rstrip("0").rstrip(".") in ("", "0"))
    return False


def not_modified(version: FeedVersion, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 13.1: If-None-Match wins over If-Modified-Since; either ETag variant matches."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or version.etag in tags or version.gzip_etag in tags
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return int(version.mtime) <= since.timestamp()
    return False
