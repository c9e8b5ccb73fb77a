"""The secret in the feed URL: random, stored hashed for checking, compared in constant time."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from pathlib import Path

from calsync.errors import StateError, describe_os_error
from calsync.state import StateStore

TOKEN_FILE = "feed-token"
META_KEY = "feed_token_sha256"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def token_hash(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


def token_matches(candidate: bytes, expected_hash: bytes) -> bool:
    """Constant-time comparison of the candidate's hash with the stored hash (any length, any bytes)."""
    return hmac.compare_digest(token_hash(candidate), expected_hash)


def read_token_file(path: Path) -> str | None:
    """The token kept in ``path``, or None when the file is missing, unreadable or not a token."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _TOKEN_SHAPE.fullmatch(text) else None


def file_token_hash(state_dir: Path) -> bytes | None:
    """The hash of the token file's token: what the feed server checks when the database cannot be read."""
    token = read_token_file(state_dir / TOKEN_FILE)
    return token_hash(token.encode()) if token else None


class FeedToken:
    """The database keeps only the hash; the token itself sits in a 0600 file so `feed-url` can show it.

    Creation runs under the database's write lock, so a `feed-url` racing a first `calsync run` sees one token.
    A database that lost its hash (deleted, emptied) adopts the token file's token: the old URL keeps working.
    """

    def __init__(self, store: StateStore, state_dir: Path) -> None:
        self.store, self.file = store, state_dir / TOKEN_FILE

    def expected_hash(self) -> bytes | None:
        value = self.store.get_meta(META_KEY)
        return bytes.fromhex(value) if value else None

    def ensure(self) -> str | None:
        """The token, created on first use; None when only its hash is left (rotate for a new one)."""
        expected = self.expected_hash()
        if expected is None:
            with self.store.transaction() as db:
                row = db.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
                if not (row and row[0]):
                    token = read_token_file(self.file) or self._write_new()
                    self._store_hash(db, token)
                    return token
                expected = bytes.fromhex(row[0])
        token = read_token_file(self.file)
        return token if token is not None and token_matches(token.encode(), expected) else None

    def rotate(self) -> str:
        with self.store.transaction() as db:
            token = self._write_new()
            self._store_hash(db, token)
        return token

    def restore(self, token: str) -> None:
        """Keep ``token``, the one subscribers use, after the state was deleted or replaced: its hash and its file."""
        with self.store.transaction() as db:
            if read_token_file(self.file) != token:
                self._write(token)
            self._store_hash(db, token)

    @staticmethod
    def _store_hash(db: object, token: str) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",  # type: ignore[attr-defined]
                   (META_KEY, token_hash(token.encode()).hex()))

    def _write_new(self) -> str:
        """A fresh token, in the token file."""
        token = secrets.token_urlsafe(32)
        self._write(token)
        return token

    def _write(self, token: str) -> None:
        """``token`` in the token file (a private temp file, fsynced, renamed over)."""
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.file.name}.", suffix=".tmp", dir=self.file.parent)
            try:
                with os.fdopen(fd, "w") as handle:
                    handle.write(token + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.file)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise StateError(f"{self.file}: cannot write the feed token: {describe_os_error(exc)}") from None
