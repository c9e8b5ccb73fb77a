"""A real HTTP server on 127.0.0.1 that serves calendars, for source tests."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CalendarServer:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def serve(self, path: str, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = (status, headers or {"Content-Type": "text/calendar"}, body)


@contextmanager
def calendar_server() -> Iterator[tuple[CalendarServer, str]]:
    state = CalendarServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            state.requests.append((self.path, dict(self.headers)))
            status, headers, body = state.routes.get(self.path.split("?", 1)[0], (404, {}, b"not found"))
            etag = headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


_HELD: list[socket.socket] = []  # bound, never listening, kept for the whole test session


def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections and stays so: its socket is bound but never listens,
    and it is held open until the tests end, so nothing else can take the port meanwhile."""
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    _HELD.append(held)
    return held.getsockname()[1]
