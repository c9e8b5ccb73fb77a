"""The secret in the feed URL: random, stored hashed for checking, compared in constant time."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from calsync.state import StateStore

TOKEN_FILE = "feed-token"
META_KEY = "feed_token_sha256"


def token_hash(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


def token_matches(candidate: bytes, expected_hash: bytes) -> bool:
    """Constant-time comparison of the candidate's hash with the stored hash (any length, any bytes)."""
    return hmac.compare_digest(token_hash(candidate), expected_hash)


class FeedToken:
    """The database keeps only the hash; the token itself sits in a 0600 file so `feed-url` can show it."""

    def __init__(self, store: StateStore, state_dir: Path) -> None:
        self.store, self.file = store, state_dir / TOKEN_FILE

    def expected_hash(self) -> bytes | None:
        value = self.store.get_meta(META_KEY)
        return bytes.fromhex(value) if value else None

    def ensure(self) -> str | None:
        """The token, created on first use; None when only its hash is left (rotate for a new one)."""
        if self.expected_hash() is None:
            return self.rotate()
        try:
            token = self.file.read_text().strip()
        except OSError:
            return None
        return token if token_matches(token.encode(), self.expected_hash() or b"") else None

    def rotate(self) -> str:
        token = secrets.token_urlsafe(32)
        self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.file)
        self.store.set_meta(META_KEY, token_hash(token.encode()).hex())
        return token
