"""A real CalDAV server on 127.0.0.1 (port 0) behind a thin WSGI layer that logs requests and injects faults.

Radicale and Xandikos (tests/caldav/radicale_server.py, xandikos_server.py) differ only in the app behind this
layer, where their collections live and where their files are on disk.
"""
from __future__ import annotations

import base64
import io
import socketserver
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

USER, PASSWORD = "robin", "correct horse"


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Fault:
    """Answer ``status`` instead of the server for requests ``match`` accepts; ``times`` of them (None: until removed)."""

    status: int
    match: Callable[[Op], bool] = lambda op: True
    times: int | None = 1
    body: bytes = b"injected fault"  # XML is sent as such, anything else as text/plain


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class DavServer:
    root: Path
    log: list[Op] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    before: Callable[[Op], bool] | None = None  # called before the server sees a request; True: it never does
    after: Callable[[Op, int], None] | None = None  # called after the server handled it, before the answer is sent
    answer_instead: Callable[[Op, int], int | None] | None = None  # after the server handled it: another status to send
    hide_sync: bool = False  # act like a server without sync-collection (RFC 6578)

    name = "dav"
    home = "/robin/"  # the user's calendar home: MKCALENDAR'd collections land here

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self._wsgi, server_class=_Server, handler_class=_Quiet)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/"
        self._serving: threading.Thread | None = None
        self.resume()

    def _make_app(self) -> Callable:
        raise NotImplementedError

    def _authorize(self, environ: dict) -> bool:
        """True when the server may see the request; servers that check logins themselves return True."""
        return True

    def collection_dir(self, path: str) -> Path:
        """Where the server keeps the files of the collection at ``path``."""
        raise NotImplementedError

    # -- up and down
    def pause(self) -> None:
        """Stop answering, keeping the socket bound: clients connect and then time out."""
        if self._serving is not None:
            self.server.shutdown()
            self._serving.join()
            self._serving = None

    def resume(self) -> None:
        if self._serving is None:
            self._serving = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            self._serving.start()

    def close(self) -> None:
        self.pause()
        self.server.server_close()

    # -- the WSGI layer
    def _wsgi(self, environ: dict, start_response: Callable) -> list[bytes]:
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        op = Op(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers)
        # The body as a stream that ends where it does (as gunicorn's and uWSGI's do; Xandikos reads to the end)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if self.hide_sync and op.method == "REPORT":
            if b"sync-collection" in body:
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [b'<?xml version="1.0"?><d:error xmlns:d="DAV:"><d:supported-report/></d:error>']
        for fault in list(self.faults):
            if fault.match(op):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                self.log.append(op)
                kind = "text/xml; charset=utf-8" if fault.body.startswith(b"<") else "text/plain"
                start_response(f"{fault.status} Injected", [("Content-Type", kind)])
                return [fault.body]
        if self.before is not None and self.before(op):
            start_response("503 Dropped", [("Content-Type", "text/plain")])
            return [b"dropped before it reached the server"]
        if not self._authorize(environ):
            self.log.append(op)
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", f'Basic realm="{self.name}"')])
            return [b"login refused"]
        captured: dict[str, object] = {}

        def capture(status: str, response_headers: list, exc_info: object = None) -> Callable:
            captured["status"], captured["headers"] = status, response_headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        self.log.append(op)
        if self.after is not None:
            self.after(op, int(str(captured["status"]).split()[0]))
        instead = self.answer_instead(op, int(str(captured["status"]).split()[0])) if self.answer_instead else None
        if instead is not None:  # the request took effect, but its answer is lost to an error
            start_response(f"{instead} Injected", [("Content-Type", "text/plain")])
            return [b"injected after the fact"]
        start_response(captured["status"], captured["headers"])
        return [body]

    # -- what a user's calendar app does
    def at(self, slug: str, name: str = "") -> str:
        """The path of the collection ``slug`` in the calendar home, or of resource ``name`` in it."""
        return f"{self.home}{slug}/{name}"

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(self.url.rstrip("/") + path, data=body or None, method=method,
                                         headers={"Authorization": f"Basic {token}", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def make_calendar(self, name: str, components: tuple[str, ...] = ("VEVENT", "VTODO"), slug: str = "") -> str:
        comps = "".join(f'<c:comp name="{c}"/>' for c in components)
        body = (f'<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
                f"<d:displayname>{name}</d:displayname><c:supported-calendar-component-set>{comps}</c:supported-calendar-component-set>"
                "</d:prop></d:set></c:mkcalendar>").encode()
        path = self.at(slug or name)
        status, _, answer = self.request("MKCALENDAR", path, body, {"Content-Type": "application/xml"})
        assert status == 201, answer
        return self.url.rstrip("/") + path

    def put(self, path: str, data: bytes, headers: dict[str, str] | None = None) -> int:
        return self.request("PUT", path, data, {"Content-Type": "text/calendar", **(headers or {})})[0]

    def get(self, path: str) -> bytes | None:
        status, _, body = self.request("GET", path)
        return body if status == 200 else None

    def delete(self, path: str) -> int:
        return self.request("DELETE", path)[0]

    def resources(self, collection_path: str) -> dict[str, bytes]:
        """name -> data of every resource in a collection, read straight from the server's storage folder."""
        folder = self.collection_dir(collection_path)
        if not folder.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}

    def collections(self) -> list[str]:
        """The collections in the calendar home, by slug."""
        folder = self.collection_dir(self.home)
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.is_dir() else []
