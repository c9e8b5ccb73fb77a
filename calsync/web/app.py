"""The WSGI application: `/<token>/followups.ics` (the feed) and `/<token>/…` (the board); 404 for anything else."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from calsync.web.feedfile import FEED_NAME, FeedFile, TokenCheck, accepts_gzip, not_modified

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


class Board(Protocol):
    """The board's pages and actions under `/<token>/` (everything but the feed)."""

    def handle(self, environ: dict[str, Any], base: str, rest: str) -> Response: ...


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class CalsyncApp:
    """Routes by the secret path segment; the token is checked in constant time before anything else."""

    def __init__(self, feed: FeedFile, check: TokenCheck, board: Board | None = None) -> None:
        self.feed, self.check, self.board = feed, check, board

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        response = self.respond(environ)
        status = f"{response.status} {REASONS.get(response.status, 'Error')}"
        headers = response.headers if response.status == 304 else [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(status, headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [response.body]

    def respond(self, environ: dict[str, Any]) -> Response:
        # PATH_INFO is decoded as latin-1 by WSGI; the token is ASCII, anything else simply fails the check.
        path = environ.get("PATH_INFO", "")
        parts = path.split("/", 2)
        if len(parts) < 3 or parts[0] != "" or not parts[1] or len(parts[1]) > 256:
            return Response.text(404, "not found")
        token, rest = parts[1], parts[2]
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
        gzipped = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        headers = [("ETag", version.gzip_etag if gzipped else version.etag), ("Last-Modified", version.last_modified),
                   ("Cache-Control", "private, max-age=0"), ("Vary", "Accept-Encoding"),
                   ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
        if not_modified(version, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")):
            return Response(304, headers)
        headers.append(("Content-Type", "text/calendar; charset=utf-8"))
        if gzipped:
            headers.append(("Content-Encoding", "gzip"))
            return Response(200, headers, version.gzipped())
        return Response(200, headers, version.data)

    def close(self) -> None:
        self.check.close()
