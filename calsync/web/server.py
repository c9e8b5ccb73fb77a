"""The feed server: GET/HEAD /<token>/followups.ics, conditional, bounded, never a 500 for bad input."""
from __future__ import annotations

import email.utils
import hashlib
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from calsync.web.token import META_KEY, token_matches

log = logging.getLogger("calsync")
FEED_NAME = "followups.ics"


@dataclass(frozen=True)
class _Cached:
    key: tuple[int, int, int]
    data: bytes
    etag: str
    last_modified: str


class FeedFile:
    """The feed file, re-read only when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: _Cached | None = None
        self._lock = threading.Lock()

    def current(self) -> _Cached | None:
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
                self._cached = _Cached(key, data, etag, email.utils.formatdate(st.st_mtime, usegmt=True))
            return self._cached


class TokenCheck:
    """Reads the stored token hash on every request, so a rotation takes effect at once."""

    def __init__(self, db_path: Path) -> None:
        self._db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False, timeout=5)
        self._lock = threading.Lock()

    def __call__(self, candidate: bytes) -> bool:
        with self._lock:
            try:
                row = self._db.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
            except sqlite3.Error:
                return False
        return bool(row and row[0]) and token_matches(candidate, bytes.fromhex(row[0]))

    def close(self) -> None:
        self._db.close()


def _handler(feed: FeedFile, check: Callable[[bytes], bool], timeout: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "calsync"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            self.timeout = timeout
            super().setup()

        def _authorized(self) -> bool:
            raw = self.path.split("?", 1)[0].encode("latin-1", "replace")
            parts = raw.split(b"/")
            return len(parts) == 3 and parts[0] == b"" and parts[2] == FEED_NAME.encode() and check(parts[1])

        def _reply(self, status: int, headers: dict[str, str], body: bytes = b"", send_body: bool = True) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if send_body and body:
                self.wfile.write(body)
            self.close_connection = True

        def _serve(self, send_body: bool) -> None:
            if not self._authorized():
                self._reply(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n", send_body)
                return
            current = feed.current()
            if current is None:
                self._reply(503, {"Retry-After": "60", "Content-Type": "text/plain; charset=utf-8"}, b"feed not written yet\n", send_body)
                return
            headers = {"ETag": current.etag, "Last-Modified": current.last_modified, "Cache-Control": "private, max-age=0",
                       "X-Content-Type-Options": "nosniff"}
            match = self.headers.get("If-None-Match")
            if match is not None:
                if current.etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*":
                    self._reply(304, headers, send_body=False)
                    return
            elif self.headers.get("If-Modified-Since") == current.last_modified:
                self._reply(304, headers, send_body=False)
                return
            headers["Content-Type"] = "text/calendar; charset=utf-8"
            self._reply(200, headers, current.data, send_body)

        def do_GET(self) -> None:  # noqa: N802
            self._serve(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(False)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # request lines carry the token: never logged

    return Handler


class FeedServer(ThreadingHTTPServer):
    """A thread per connection, at most ``max_connections`` at once; the rest are closed at once."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], feed: FeedFile, check: TokenCheck, max_connections: int, timeout: float) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        self._check = check
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _handler(feed, check, timeout))

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        log.debug("feed server: error while answering a client", exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        self._check.close()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def start_feed_server(bind: str, port: int, feed_path: Path, db_path: Path, max_connections: int, timeout: float,
                      poll_interval: float = 0.5) -> tuple[FeedServer, threading.Thread]:
    """Serve in a thread; ``poll_interval`` bounds how long a shutdown waits (and how often an idle server wakes)."""
    server = FeedServer((bind, port), FeedFile(feed_path), TokenCheck(db_path), max_connections, timeout)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, name="feed-server", daemon=True)
    thread.start()
    return server, thread
