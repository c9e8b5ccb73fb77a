"""URL sources against real servers on 127.0.0.1: deadline, redirects, credentials, address policy, size, TLS."""
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calsync.errors import SourceError
from calsync.ics.address_policy import AddressPolicy, Reach, TargetRefused, reach_of
from calsync.ics.fetch import Validators, fetch_url, normalize_url
from tests.http_fixtures import calendar_server

LIMITS = {"max_bytes": 1000, "connect_timeout": 2.0, "total_timeout": 5.0, "max_redirects": 3}
CALENDAR = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@contextmanager
def scripted_server(script):
    """A TCP listener on 127.0.0.1 running ``script(conn, stop)`` for each connection; yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()
    served = []

    def accept_loop():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            served.append(conn)
            threading.Thread(target=_run, args=(script, conn, stop), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        for conn in served:
            conn.close()


def _run(script, conn, stop):
    try:
        script(conn, stop)
    except OSError:
        pass


def dribble(data: bytes, every: float, sent: list):
    """A script sending ``data`` one byte at a time, ``every`` seconds apart, until the client hangs up."""
    def script(conn, stop):
        conn.recv(65536)
        for i in range(len(data)):
            if stop.wait(every):
                return
            conn.sendall(data[i:i + 1])
            sent.append(i)
    return script


SLOW_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(CALENDAR), CALENDAR)


def test_headers_sent_one_byte_at_a_time_are_cut_at_the_whole_request_deadline():
    sent = []  # the whole answer takes ~8 s at this pace; each byte alone is well within any per-read timeout
    with scripted_server(dribble(SLOW_RESPONSE, 0.1, sent)) as port:
        with pytest.raises(SourceError, match=r"no complete answer within 0\.6 s \(limits\.total_timeout\)"):
            fetch_url(f"http://127.0.0.1:{port}/c.ics", **{**LIMITS, "total_timeout": 0.6})
    assert len(sent) < len(SLOW_RESPONSE)


def test_a_body_sent_one_byte_at_a_time_is_cut_at_the_whole_request_deadline():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n"
    sent = []

    def script(conn, stop):
        conn.recv(65536)
        conn.sendall(head)
        for i in range(900):
            if stop.wait(0.05):
                return
            conn.sendall(b"x")
            sent.append(i)

    with scripted_server(script) as port:
        with pytest.raises(SourceError, match="no complete answer within 0.6 s"):
            fetch_url(f"http://127.0.0.1:{port}/c.ics", **{**LIMITS, "total_timeout": 0.6})
    assert len(sent) < 900


def test_a_tls_handshake_that_never_completes_is_cut_at_the_deadline():
    with scripted_server(lambda conn, stop: stop.wait(30)) as port:
        with pytest.raises(SourceError, match="no complete answer within 0.5 s"):
            fetch_url(f"https://127.0.0.1:{port}/c.ics", **{**LIMITS, "total_timeout": 0.5})


def test_a_server_that_never_answers_times_out():
    with scripted_server(lambda conn, stop: stop.wait(30)) as port:
        with pytest.raises(SourceError, match="no complete answer within 0.5 s"):
            fetch_url(f"http://127.0.0.1:{port}/c.ics", **{**LIMITS, "total_timeout": 0.5})


def test_conditional_get_and_validators():
    with calendar_server() as (server, base):
        server.serve("/c.ics", CALENDAR, headers={"ETag": '"e1"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
        first = fetch_url(base + "/c.ics", **LIMITS)
        assert first.body == CALENDAR and first.validators == Validators('"e1"', "Tue, 01 Dec 2026 10:00:00 GMT")
        second = fetch_url(base + "/c.ics", first.validators, **LIMITS)
        assert second.body is None and server.requests[-1][1]["If-None-Match"] == '"e1"'


def test_redirects_are_followed_up_to_the_limit():
    with calendar_server() as (server, base):
        server.serve("/c.ics", b"ok")
        server.serve("/r1", b"", 302, {"Location": "/c.ics"})  # relative, as servers send them
        assert fetch_url(base + "/r1", **LIMITS).body == b"ok"
        for i in range(6):
            server.serve(f"/loop{i}", b"", 302, {"Location": f"{base}/loop{i + 1}"})
        with pytest.raises(SourceError, match="more than 3 redirects"):
            fetch_url(base + "/loop0", **LIMITS)


def test_redirect_to_another_scheme_is_refused():
    with calendar_server() as (server, base):
        server.serve("/r", b"", 302, {"Location": "ftp://127.0.0.1/cal.ics"})
        with pytest.raises(SourceError, match="non-HTTP"):
            fetch_url(base + "/r", **LIMITS)
        server.serve("/f", b"", 302, {"Location": "file:///etc/passwd"})
        with pytest.raises(SourceError, match="not allowed"):
            fetch_url(base + "/f", **LIMITS)


def test_credentials_go_only_to_the_configured_host():
    with calendar_server() as (home, home_base), calendar_server() as (other, other_base):
        other.serve("/c.ics", CALENDAR)
        home.serve("/c.ics", CALENDAR)
        home.serve("/away", b"", 302, {"Location": other_base + "/c.ics"})
        authed = home_base.replace("http://", "http://jane:s3cret@")
        assert fetch_url(authed + "/c.ics", **LIMITS).body == CALENDAR
        assert home.requests[-1][1]["Authorization"].startswith("Basic ")
        assert fetch_url(authed + "/away", **LIMITS).body == CALENDAR
        assert "Authorization" in home.requests[-1][1]
        assert other.requests and all("Authorization" not in headers for _, headers in other.requests)
        other.serve("/back", b"", 302, {"Location": home_base.replace("http://", "http://mallory:x@") + "/c.ics"})
        fetch_url(other_base + "/back", **LIMITS)  # credentials in a Location are never used
        assert "Authorization" not in home.requests[-1][1]


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/c.ics",
                                    "http://192.168.1.1/c.ics", "http://[fe80::1]/c.ics", "http://[::ffff:169.254.169.254]/"])
def test_redirects_into_other_internal_networks_are_refused(target):
    with calendar_server() as (server, base):  # the configured URL is loopback: loopback only
        server.serve("/r", b"", 302, {"Location": target})
        with pytest.raises(SourceError, match="refused"):
            fetch_url(base + "/r", **LIMITS)


def test_redirects_within_the_configured_kind_of_network_are_followed():
    with calendar_server() as (server, base), calendar_server() as (other, other_base):
        other.serve("/c.ics", CALENDAR)
        server.serve("/r", b"", 302, {"Location": other_base.replace("127.0.0.1", "localhost") + "/c.ics"})
        assert fetch_url(base + "/r", **LIMITS).body == CALENDAR


def test_address_policy_table():
    assert [reach_of(a) for a in ("127.0.0.1", "::1", "0.0.0.0", "169.254.169.254", "fe80::1%lo", "10.1.2.3",
                                  "172.16.0.1", "192.168.0.1", "100.64.0.1", "fd00::1", "::ffff:10.0.0.1",
                                  "2002:a9fe:a9fe::1", "8.8.8.8", "2001:4860:4860::8888")] == [
        Reach.LOOPBACK, Reach.LOOPBACK, Reach.LOOPBACK, Reach.LINK_LOCAL, Reach.LINK_LOCAL, Reach.PRIVATE,
        Reach.PRIVATE, Reach.PRIVATE, Reach.PRIVATE, Reach.PRIVATE, Reach.PRIVATE, Reach.LINK_LOCAL,
        Reach.PUBLIC, Reach.PUBLIC]
    public = AddressPolicy.of([(socket.AF_INET, ("93.184.216.34", 443))])
    with pytest.raises(TargetRefused):
        public.permitted([(socket.AF_INET, ("127.0.0.1", 80))])
    lan = AddressPolicy.of([(socket.AF_INET, ("192.168.1.5", 80))])
    assert lan.permitted([(socket.AF_INET, ("192.168.7.7", 80)), (socket.AF_INET, ("169.254.169.254", 80))]) == [
        (socket.AF_INET, ("192.168.7.7", 80))]


def test_response_size_limit_with_and_without_a_length():
    with calendar_server() as (server, base):
        server.serve("/big", b"x" * 5000)
        with pytest.raises(SourceError, match="larger than 1000 bytes"):
            fetch_url(base + "/big", **LIMITS)
    sent = []

    def endless(conn, stop):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
        while not stop.is_set():
            conn.sendall(b"y" * 4096)
            sent.append(1)

    with scripted_server(endless) as port:
        with pytest.raises(SourceError, match="larger than 1000 bytes"):
            fetch_url(f"http://127.0.0.1:{port}/c.ics", **LIMITS)


def test_http_errors_name_the_status_without_the_servers_escape_sequences():
    def script(conn, stop):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 503 Busy \x1b[2J\x1b]0;pwned\x07now\r\nContent-Length: 0\r\n\r\n")

    with scripted_server(script) as port:
        with pytest.raises(SourceError, match="HTTP 503") as raised:
            fetch_url(f"http://127.0.0.1:{port}/c.ics", **LIMITS)
    assert "\x1b" not in str(raised.value) and "\x07" not in str(raised.value)


def test_webcal_means_https():
    assert normalize_url("webcal://p01-caldav.icloud.com/published/2/x") == "https://p01-caldav.icloud.com/published/2/x"
    assert normalize_url("WEBCALS://example.org/a.ics") == "https://example.org/a.ics"
    assert normalize_url(" https://example.org/a.ics ") == "https://example.org/a.ics"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost, made with cryptography (a google-auth dependency)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "calsync test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@contextmanager
def https_server(tls_files, routes):
    cert, key = tls_files

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_https_and_webcal_fetch_and_https_never_downgrades(tls_files, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))  # trust the test certificate, as a system CA would
    with calendar_server() as (plain, plain_base):
        plain.serve("/c.ics", CALENDAR)
        routes = {"/c.ics": (200, {}, CALENDAR), "/down": (302, {"Location": plain_base + "/c.ics"}, b"")}
        with https_server(tls_files, routes) as port:
            assert fetch_url(f"https://localhost:{port}/c.ics", **LIMITS).body == CALENDAR
            assert fetch_url(f"webcal://127.0.0.1:{port}/c.ics", **LIMITS).body == CALENDAR
            with pytest.raises(SourceError, match="from https to plain http"):
                fetch_url(f"https://127.0.0.1:{port}/down", **LIMITS)
        assert not plain.requests
    monkeypatch.delenv("SSL_CERT_FILE")
    with https_server(tls_files, {"/c.ics": (200, {}, CALENDAR)}) as port:
        with pytest.raises(SourceError, match="TLS failed"):
            fetch_url(f"https://127.0.0.1:{port}/c.ics", **LIMITS)


def test_webcal_sources_are_accepted_by_the_configuration_as_https():
    from calsync.config import build_config

    config = build_config({"sources": [{"url": "webcal://p52-caldav.icloud.com/published/2/MTY4NzQ1MjM0NTY3ODkwMTJB"},
                                       {"url": "webcals://example.org/team.ics"}]})
    assert [s.location for s in config.sources] == ["https://p52-caldav.icloud.com/published/2/MTY4NzQ1MjM0NTY3ODkwMTJB",
                                                    "https://example.org/team.ics"]
    assert config.sources[0].name == "p52-caldav.icloud.com/published/2/…"  # the default name hides the secret


def test_gzip_answers_are_inflated_within_the_size_limit():
    import gzip

    calendar_text = CALENDAR * 20  # 640 bytes: within the 1000-byte limit
    with calendar_server() as (server, base):
        server.serve("/z.ics", gzip.compress(calendar_text), headers={"Content-Encoding": "gzip"})
        assert fetch_url(base + "/z.ics", **LIMITS).body == calendar_text
        assert server.requests[-1][1]["Accept-Encoding"] == "gzip"
        server.serve("/bomb.ics", gzip.compress(b"\0" * 10_000_000), headers={"Content-Encoding": "gzip"})  # ~10 KB sent
        with pytest.raises(SourceError, match="larger than 20000 bytes"):  # what it inflates to counts
            fetch_url(base + "/bomb.ics", **{**LIMITS, "max_bytes": 20_000})
        server.serve("/cut.ics", gzip.compress(calendar_text)[:-12], headers={"Content-Encoding": "gzip"})
        with pytest.raises(SourceError, match="ends early"):
            fetch_url(base + "/cut.ics", **LIMITS)
        server.serve("/junk.ics", b"not gzip at all", headers={"Content-Encoding": "gzip"})
        with pytest.raises(SourceError, match="broken gzip"):
            fetch_url(base + "/junk.ics", **LIMITS)


def test_addresses_with_spaces_and_non_ascii_are_percent_encoded():
    with calendar_server() as (server, base):
        server.serve("/caf%C3%A9%20cal.ics", CALENDAR)
        server.serve("/r", b"", 302, {"Location": "/caf\u00e9 cal.ics"})
        assert fetch_url(base + "/caf\u00e9 cal.ics", **LIMITS).body == CALENDAR
        assert fetch_url(base + "/r", **LIMITS).body == CALENDAR
