"""The WSGI application: `/<token>/followups.ics` (the feed) and `/<token>/…` (the board); 404 for anything else."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from calsync.web.feedfile import FEED_NAME, FeedFile, FeedVersion, TokenCheck, accepts_gzip, not_modified
from calsync.web.token import token_matches

TEXT = "text/plain; charset=utf-8"
REASONS = {200: "OK", 303: "See Other", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Content Too Large", 503: "Service Unavailable"}


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def text(cls, status: int, message: str, *headers: tuple[str, str]) -> "Response":
        return cls(status, [("Content-Type", TEXT), *headers], message.encode() + b"\n")


@dataclass(frozen=True)
class FeedSnapshot:
    """The token hash (None: unknown without waiting, or no token) and the feed version (None: changed on disk)."""

    token_hash: bytes | None
    version: FeedVersion | None


class Board(Protocol):
    """The board's pages and actions under `/<token>/` (everything but the feed)."""

    def handle(self, environ: dict[str, Any], base: str, rest: str) -> Response: ...


StartResponse = Callable[[str, list[tuple[str, str]]], Any]
FILE_WRAPPER_MIN = 64 * 1024  # bodies this large go out through wsgi.file_wrapper, not copied into waitress's buffers


def split_token(path: str) -> tuple[str, str] | None:
    """``/<token>/<rest>`` as (token, rest); None for a path without a plausible token segment."""
    parts = path.split("/", 2)
    if len(parts) < 3 or parts[0] != "" or not parts[1] or len(parts[1]) > 256:
        return None
    return parts[1], parts[2]


class CalsyncApp:
    """Routes by the secret path segment; the token is checked in constant time before anything else."""

    def __init__(self, feed: FeedFile, check: TokenCheck, board: Board | None = None) -> None:
        self.feed, self.check, self.board = feed, check, board

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        response = self.respond(environ)
        status = f"{response.status} {REASONS.get(response.status, 'Error')}"
        headers = response.headers if response.status == 304 else [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(status, headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        if len(response.body) >= FILE_WRAPPER_MIN and "wsgi.file_wrapper" in environ:
            return environ["wsgi.file_wrapper"](io.BytesIO(response.body))  # BytesIO shares the bytes, no copy
        return [response.body]

    def respond(self, environ: dict[str, Any]) -> Response:
        # PATH_INFO is decoded as latin-1 by WSGI; the token is ASCII, anything else simply fails the check.
        split = split_token(environ.get("PATH_INFO", ""))
        if split is None:
            return Response.text(404, "not found")
        token, rest = split
        if not self.check(token.encode("latin-1", "replace")):
            return Response.text(404, "not found")
        if rest == FEED_NAME:
            return self.serve_feed(environ)
        if self.board is None:
            return Response.text(404, "not found")
        return self.board.handle(environ, f"/{token}/", rest)

    def serve_feed(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return Response.text(405, "the feed is read-only", ("Allow", "GET, HEAD"))
        version = self.feed.current()
        if version is None:
            return Response.text(503, "feed not written yet", ("Retry-After", "60"))
        answer = feed_answer(version, environ.get("HTTP_ACCEPT_ENCODING", ""), environ.get("HTTP_IF_NONE_MATCH"),
                             environ.get("HTTP_IF_MODIFIED_SINCE"))
        assert answer is not None  # compressing is allowed here
        return answer

    def quick_snapshot(self) -> FeedSnapshot:
        """What memory holds now, checked without waiting: the token hash and the feed's current version."""
        return FeedSnapshot(self.check.quick_hash(), self.feed.cached())

    def quick_feed(self, snapshot: FeedSnapshot, method: str, path: str, accept_encoding: str,
                   if_none_match: str | None, if_modified_since: str | None) -> Response | None:
        """The feed's answer from ``snapshot``: what the server sends without a worker thread. None: ask
        ``__call__`` (any other path, a wrong token, a method other than GET/HEAD, a database that could not be
        read without waiting, a feed changed on disk or not yet compressed)."""
        if method not in ("GET", "HEAD") or snapshot.token_hash is None or snapshot.version is None:
            return None
        split = split_token(path)
        if split is None or split[1] != FEED_NAME or not token_matches(split[0].encode("latin-1", "replace"),
                                                                        snapshot.token_hash):
            return None
        return feed_answer(snapshot.version, accept_encoding, if_none_match, if_modified_since, compress=False)

    def close(self) -> None:
        self.check.close()


def feed_answer(version: FeedVersion, accept_encoding: str, if_none_match: str | None, if_modified_since: str | None,
                compress: bool = True) -> Response | None:
    """304 on a matching validator, else the feed (gzipped when accepted); None only when ``compress`` is False and
    the gzip form is not made yet."""
    gzipped = accepts_gzip(accept_encoding)
    headers = list(version.headers(gzipped))
    if not_modified(version, if_none_match, if_modified_since):
        return Response(304, headers)
    headers.append(("Content-Type", "text/calendar; charset=utf-8"))
    if not gzipped:
        return Response(200, headers, version.data)
    if not compress and not version.gzip_ready:
        return None
    headers.append(("Content-Encoding", "gzip"))
    return Response(200, headers, version.gzipped())
