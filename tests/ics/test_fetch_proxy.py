"""http_proxy / https_proxy / no_proxy, through a real little proxy on 127.0.0.1; issue 10's guarantees still hold."""
import base64
import http.client
import socket
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calsync.errors import SourceError
from calsync.ics.fetch import fetch_url
from tests.http_fixtures import calendar_server, closed_port
from tests.ics.test_fetch import CALENDAR, LIMITS, https_server, scripted_server, tls_files  # noqa: F401 (a fixture)

def basic(user_password: str) -> str:
    return "Basic " + base64.b64encode(user_password.encode()).decode()


@contextmanager
def little_proxy():
    """A forwarding proxy: GET with an absolute URL is relayed, CONNECT is tunnelled; every request is recorded."""
    seen: list[tuple[str, str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(("GET", self.path, dict(self.headers)))
            url = urllib.parse.urlsplit(self.path)
            upstream = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("proxy-")}
            upstream.request("GET", url.path + (f"?{url.query}" if url.query else ""), headers=headers)
            answer = upstream.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            upstream.close()

        def do_CONNECT(self):  # noqa: N802
            seen.append(("CONNECT", self.path, dict(self.headers)))
            host, port = self.path.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=30)
            self.send_response(200)
            self.end_headers()
            self.wfile.flush()
            pump = threading.Thread(target=copy, args=(upstream, self.connection), daemon=True)
            pump.start()
            copy(self.connection, upstream)
            pump.join(30)
            upstream.close()
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield seen, f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_http_goes_through_the_proxy(monkeypatch, variable):
    with little_proxy() as (seen, proxy), calendar_server() as (server, base):
        server.serve("/cal.ics", CALENDAR)
        monkeypatch.setenv(variable, f"http://{proxy}")
        assert fetch_url(f"{base}/cal.ics", **LIMITS).body == CALENDAR
        assert [(method, path) for method, path, _ in seen] == [("GET", f"{base}/cal.ics")]


def test_no_proxy_goes_direct(monkeypatch):
    with little_proxy() as (seen, proxy), calendar_server() as (server, base):
        server.serve("/cal.ics", CALENDAR)
        monkeypatch.setenv("http_proxy", f"http://{proxy}")
        monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
        assert fetch_url(f"{base}/cal.ics", **LIMITS).body == CALENDAR
        assert seen == [] and len(server.requests) == 1


def test_credentials_go_to_their_own_host_and_the_proxy_s_to_the_proxy(monkeypatch):
    with little_proxy() as (seen, proxy), calendar_server() as (first, first_base), calendar_server() as (second, second_base):
        second.serve("/cal.ics", CALENDAR)
        first.serve("/cal.ics", b"", status=302, headers={"Location": f"{second_base}/cal.ics"})
        monkeypatch.setenv("http_proxy", f"http://pu:pp@{proxy}")
        url = first_base.replace("http://", "http://user:secret@") + "/cal.ics"
        assert fetch_url(url, **LIMITS).body == CALENDAR
        (_, to_first, via_first), (_, to_second, via_second) = seen
        assert via_first["Authorization"] == basic("user:secret") and "Authorization" not in via_second
        assert via_first["Proxy-Authorization"] == via_second["Proxy-Authorization"] == basic("pu:pp")
        assert to_second == f"{second_base}/cal.ics"
        assert all("Proxy-Authorization" not in headers for _, headers in first.requests + second.requests)


def test_the_address_policy_judges_the_target_not_the_proxy(monkeypatch):
    with little_proxy() as (seen, proxy), calendar_server() as (server, base):
        server.serve("/cal.ics", b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        monkeypatch.setenv("http_proxy", f"http://{proxy}")
        with pytest.raises(SourceError, match="link-local address"):
            fetch_url(f"{base}/cal.ics", **LIMITS)
        assert [path for _, path, _ in seen] == [f"{base}/cal.ics"]  # the proxy was never asked for the metadata service


def test_one_deadline_covers_a_proxy_that_never_answers(monkeypatch):
    def silent(conn, stop):
        conn.recv(65536)
        stop.wait(60)

    with scripted_server(silent) as port:
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{port}")
        with pytest.raises(SourceError, match="no complete answer within 1 s"):
            fetch_url("http://127.0.0.1:9/cal.ics", **{**LIMITS, "total_timeout": 1.0})


def test_the_size_cap_holds_through_the_proxy(monkeypatch):
    with little_proxy() as (seen, proxy), calendar_server() as (server, base):
        server.serve("/big.ics", b"x" * 5000)
        monkeypatch.setenv("http_proxy", f"http://{proxy}")
        with pytest.raises(SourceError, match="larger than 1000 bytes"):
            fetch_url(f"{base}/big.ics", **LIMITS)
        assert len(seen) == 1


def test_https_tunnels_through_connect(monkeypatch, tls_files):  # noqa: F811
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    with little_proxy() as (seen, proxy), https_server(tls_files, {"/c.ics": (200, {}, CALENDAR)}) as port:
        monkeypatch.setenv("https_proxy", f"http://pu:pp@{proxy}")
        assert fetch_url(f"https://127.0.0.1:{port}/c.ics", **LIMITS).body == CALENDAR
        assert [(method, path) for method, path, _ in seen] == [("CONNECT", f"127.0.0.1:{port}")]
        assert seen[0][2]["Proxy-Authorization"] == basic("pu:pp")


def test_a_proxy_that_refuses_connect_is_one_line(monkeypatch):
    def refuse(conn, stop):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    with scripted_server(refuse) as port:
        monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{port}")
        with pytest.raises(SourceError, match="refused to connect to 127.0.0.1:443 .HTTP/1.1 403 Forbidden.; check it"):
            fetch_url("https://127.0.0.1/c.ics", **LIMITS)


def test_an_unreachable_or_unsupported_proxy_is_one_line_without_its_password(monkeypatch):
    monkeypatch.setenv("http_proxy", f"http://pu:hunter2@127.0.0.1:{closed_port()}")
    with pytest.raises(SourceError, match=r"the proxy in http_proxy \(http://.*\) is unreachable") as error:
        fetch_url("http://127.0.0.1:9/cal.ics", **LIMITS)
    assert "hunter2" not in str(error.value)
    monkeypatch.setenv("https_proxy", "socks5://127.0.0.1:1080")
    with pytest.raises(SourceError, match="only http:// proxies are supported"):
        fetch_url("https://127.0.0.1:9/cal.ics", **LIMITS)
