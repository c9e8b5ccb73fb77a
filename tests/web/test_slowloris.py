"""Slowloris against the real server on 127.0.0.1: 40 connections dribbling headers, normal requests still served."""
import http.client
import socket
import threading
from zoneinfo import ZoneInfo

from calsync.ics.feed import write_atomically
from calsync.state import StateStore
from calsync.web.server import start_feed_server
from calsync.web.token import FeedToken
from tests.conftest import wait_for

SLOW_CLIENTS = 40
NORMAL_REQUESTS = 30


class Slowloris:
    """Keeps SLOW_CLIENTS connections open, each sending one header byte at a time; reopens any the server closes."""

    def __init__(self, port: int, token: str, gap: float) -> None:
        self.port, self.gap = port, gap
        self.line = f"GET /{token}/followups.ics HTTP/1.1\r\nHost: x\r\nX-A: ".encode() + b"a" * 100_000
        self.stop = threading.Event()
        self.filled = threading.Event()  # every connection is open and has sent its first byte
        self.closed_by_server = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self) -> tuple[socket.socket, int]:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5), 0

    def run(self) -> None:
        conns = [self.connect() for _ in range(SLOW_CLIENTS)]
        try:
            while True:
                for i, (sock, sent) in enumerate(conns):
                    try:
                        sock.sendall(self.line[sent:sent + 1])
                        conns[i] = (sock, sent + 1)
                    except OSError:
                        sock.close()
                        self.closed_by_server += 1
                        conns[i] = self.connect()
                self.filled.set()
                if self.stop.wait(self.gap):
                    break
        finally:
            for sock, _ in conns:
                sock.close()


def test_normal_requests_are_served_during_a_slowloris(tmp_path):
    store = StateStore(tmp_path / "state.sqlite3", ZoneInfo("UTC"))
    token = FeedToken(store, tmp_path).ensure()
    write_atomically(tmp_path / "followups.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    # The default limit (32 connections), a 1 s whole-request deadline; the attackers send a byte every 0.2 s,
    # so an idle timeout alone would never close them.
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "followups.ics", tmp_path / "state.sqlite3", 32, 1.0)
    attack = Slowloris(server.port, token, gap=0.2)
    attack.thread.start()
    served = 0
    try:
        assert attack.filled.wait(30), "the attack never opened its connections"  # every slot taken before we ask
        for _ in range(NORMAL_REQUESTS):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
            try:
                conn.request("GET", f"/{token}/followups.ics")
                response = conn.getresponse()
                response.read()
                served += response.status == 200
            except OSError:
                pass
            finally:
                conn.close()
        wait_for(lambda: attack.closed_by_server >= SLOW_CLIENTS, 30)  # the deadline closes each dribbling connection
    finally:
        attack.stop.set()
        attack.thread.join(timeout=30)
        server.shutdown()
        store.close()
    assert served == NORMAL_REQUESTS, f"served {served} of {NORMAL_REQUESTS} under slowloris"
    assert attack.closed_by_server >= SLOW_CLIENTS
