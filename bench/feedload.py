"""A lean HTTP load client for bench_feed.py, run as its own process so it never shares a GIL with the server.

One thread drives every connection through ``selectors`` with prebuilt request bytes, so 20 "concurrent clients"
cost the client no thread switches. ``python bench/feedload.py PORT MODE CLIENTS PER_CLIENT EXPECT REQUEST_HEX``
prints one latency per line, in seconds. MODE is ``burst`` (all clients ask at the same moment, then pause 20 ms:
calendar apps polling at once) or ``closed`` (each client asks again as soon as its answer is in), each with
``-keep`` (keep-alive) or ``-new`` (a new connection per request).

``python bench/feedload.py trivial`` is the trivial server the client's own overhead is measured against: one
thread, ``selectors``, a canned keep-alive 304 for every request.
"""
from __future__ import annotations

import selectors
import socket
import sys
import time

CANNED = b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"


class Conn:
    """One client connection: the request in flight, the bytes of its answer so far, and when it was sent."""

    def __init__(self, port: int, request: bytes, keep_alive: bool) -> None:
        self.port, self.request, self.keep_alive = port, request, keep_alive
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.sent_at = 0.0
        self.left = 0

    def send(self, sel: selectors.BaseSelector) -> None:
        self.sent_at = time.perf_counter()
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sel.register(self.sock, selectors.EVENT_READ, self)
        self.sock.sendall(self.request)
        self.buf.clear()

    def read(self, expect: int) -> bool:
        """Reads what arrived; True once the whole answer is in (headers, then Content-Length bytes)."""
        assert self.sock is not None
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk
        head_end = self.buf.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        head = bytes(self.buf[:head_end]).split(b"\r\n")
        status = int(head[0].split()[1])
        if status != expect:
            raise AssertionError(f"status {status}, expected {expect}")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return len(self.buf) - head_end - 4 >= length

    def done(self, sel: selectors.BaseSelector) -> None:
        if not self.keep_alive and self.sock is not None:
            sel.unregister(self.sock)
            self.sock.close()
            self.sock = None


def load(port: int, mode: str, clients: int, per_client: int, expect: int, request: bytes) -> list[float]:
    pattern, _, conn_mode = mode.partition("-")
    sel = selectors.DefaultSelector()
    conns = [Conn(port, request, conn_mode == "keep") for _ in range(clients)]
    for conn in conns:  # connect first, so keep-alive figures hold no handshakes
        if conn.keep_alive:
            conn.sock = socket.create_connection(("127.0.0.1", port))
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sel.register(conn.sock, selectors.EVENT_READ, conn)
    times: list[float] = []
    remaining = {id(c): per_client for c in conns}
    if pattern == "closed":
        for conn in conns:
            conn.send(sel)
    rounds = per_client if pattern == "burst" else 1
    for _ in range(rounds):
        if pattern == "burst":
            time.sleep(0.02)
            for conn in conns:
                conn.send(sel)
        waiting = len(conns)
        while waiting:
            for key, _ in sel.select(timeout=30):
                conn = key.data
                if not conn.read(expect):
                    continue
                times.append(time.perf_counter() - conn.sent_at)
                conn.done(sel)
                remaining[id(conn)] -= 1
                if pattern == "closed" and remaining[id(conn)] > 0:
                    conn.send(sel)
                else:
                    waiting -= 1
    for conn in conns:
        if conn.sock is not None:
            conn.sock.close()
    return times


def serve_trivial() -> None:
    """Prints its port, then answers every request with CANNED until stdin closes."""
    sel = selectors.DefaultSelector()
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, None)
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    print(listener.getsockname()[1], flush=True)
    pending: dict[socket.socket, bytes] = {}
    while True:
        for key, _ in sel.select():
            if key.data == "stdin":
                return
            if key.data is None:
                sock, _ = listener.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(sock, selectors.EVENT_READ, "client")
                continue
            sock = key.fileobj  # type: ignore[assignment]
            data = sock.recv(65536)  # type: ignore[union-attr]
            if not data:
                sel.unregister(sock)
                sock.close()  # type: ignore[union-attr]
                pending.pop(sock, None)  # type: ignore[arg-type]
                continue
            data = pending.pop(sock, b"") + data  # type: ignore[arg-type]
            while b"\r\n\r\n" in data:
                _, data = data.split(b"\r\n\r\n", 1)
                sock.sendall(CANNED)  # type: ignore[union-attr]
            if data:
                pending[sock] = data  # type: ignore[index]


def main(argv: list[str]) -> None:
    if argv[0] == "trivial":
        serve_trivial()
        return
    port, mode, clients, per_client, expect, request = argv
    times = load(int(port), mode, int(clients), int(per_client), int(expect), bytes.fromhex(request))
    sys.stdout.write("".join(f"{t!r}\n" for t in times))


if __name__ == "__main__":
    main(sys.argv[1:])
