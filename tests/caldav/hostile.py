"""A front for a CalDAV server on 127.0.0.1 that forwards honestly, or turns hostile: dribbles, floods, redirects."""
from __future__ import annotations

import hashlib
import http.client
import socket
import socketserver
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Front:
    upstream: str  # base URL of the honest server
    mode: str = "proxy"  # proxy | digest | dribble | flood | flood-unsized | redirect
    every: float = 2.0  # dribble: seconds between bytes
    location: str = ""  # redirect: where to
    sent: list[int] = field(default_factory=list)  # bytes sent per hostile answer, as the client hung up
    connections: int = 0
    digest: tuple[str, str, str] = ("", "", "")  # digest mode: (user, password, the Basic header to send upstream)
    logins: list[str] = field(default_factory=list)  # digest mode: "ok", "bad", "basic" (a password in clear) or "none"
    challenge: str = 'Digest realm="dav", nonce="n0nce", qop="auth", algorithm=MD5'  # digest mode: what a 401 asks
    stop: threading.Event = field(default_factory=threading.Event)


def _read_request(rfile) -> tuple[str, str, dict[str, str], bytes]:
    method, path, _ = rfile.readline(65537).decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        line = rfile.readline(65537).decode("latin-1").strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.strip()] = value.strip()
    length = int(headers.get("Content-Length", "0") or 0)
    return method, path, headers, rfile.read(length) if length else b""


def _serve(front: Front, conn: socket.socket, rfile) -> None:
    method, path, headers, body = _read_request(rfile)
    if front.mode == "digest":
        verdict = _digest_verdict(front, method, headers.get("Authorization", ""))
        front.logins.append(verdict)
        if verdict != "ok":
            conn.sendall(f"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {front.challenge}\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            return
        headers["Authorization"] = front.digest[2]
    if front.mode in ("proxy", "digest"):
        up = urllib.parse.urlsplit(front.upstream)
        client = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
        client.request(method, path, body=body or None, headers=forwarded)
        answer = client.getresponse()
        data = answer.read()
        head = f"HTTP/1.1 {answer.status} {answer.reason}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in answer.getheaders() if k.lower() not in ("connection", "transfer-encoding", "content-length"))
        conn.sendall(head.encode("latin-1") + f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        client.close()
        return
    if front.mode == "redirect":
        conn.sendall(f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {front.location}\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n".encode())
        return
    sent = 0
    try:
        if front.mode == "dribble":  # a complete-looking start, then one byte every ``every`` seconds
            conn.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n")
            while not front.stop.wait(front.every):
                conn.sendall(b" ")
                sent += 1
        else:  # 2 GB of XML-ish filler, announced or not
            length = b"Content-Length: 2147483648\r\n" if front.mode == "flood" else b""
            conn.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n" + length + b"Connection: close\r\n\r\n")
            chunk = b"<x/>" * 16384
            while sent < 2 * 1024 ** 3 and not front.stop.is_set():
                conn.sendall(chunk)
                sent += len(chunk)
    except OSError:  # the client hung up: what we measure
        pass
    finally:
        front.sent.append(sent)


def _digest_verdict(front: Front, method: str, header: str) -> str:
    """Checks a Digest answer (RFC 7616, MD5, qop=auth) against the front's user and password."""
    if not header.startswith("Digest "):
        return "basic" if header.startswith("Basic ") else "none"
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
    user, password, _ = front.digest

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1, ha2 = md5(f"{user}:dav:{password}"), md5(f"{method}:{fields.get('uri')}")
    expected = md5(f"{ha1}:n0nce:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
    return "ok" if fields.get("username") == user and fields.get("response") == expected else "bad"


@contextmanager
def hostile_front(upstream: str) -> Iterator[tuple[Front, str]]:
    """A front on 127.0.0.1 (port 0, the bound port used); yields it and its base URL."""
    front = Front(upstream)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            front.connections += 1
            try:
                _serve(front, self.connection, self.rfile)
            except (OSError, ValueError):
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield front, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        front.stop.set()
        server.shutdown()
        server.server_close()
