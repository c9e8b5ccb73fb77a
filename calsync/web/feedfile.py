"""The served feed: read and hashed once per change on disk, gzipped once per change; the token check."""
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

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'

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

    def current(self) -> FeedVersion | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if self._cached is None or self._cached.key != key:
                try:
                    data = self.path.read_bytes()
                except OSError:
                    return None
                etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
                self._cached = FeedVersion(key, data, etag, email.utils.formatdate(st.st_mtime, usegmt=True), st.st_mtime)
            return self._cached


class TokenCheck:
    """Reads the stored token hash on every request, so a rotation takes effect at once.

    When the database cannot be read (damaged, missing, on a read-only disk), the token file decides."""

    def __init__(self, db_path: Path) -> None:
        self._path, self._db = db_path, None
        self._lock = threading.Lock()

    def __call__(self, candidate: bytes) -> bool:
        with self._lock:
            try:
                if self._db is None:
                    self._db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False, timeout=5)
                row = self._db.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
                expected = bytes.fromhex(row[0]) if row and row[0] else None
            except (sqlite3.Error, ValueError):
                expected = file_token_hash(self._path.parent)
        return expected is not None and token_matches(candidate, expected)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


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
