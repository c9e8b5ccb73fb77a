"""CalDAV against hostile servers on 127.0.0.1: one whole-request deadline, a size cap with bounded memory, redirects
into other networks refused in one line — and never a deletion because of any of them."""
import datetime as dt
import tracemalloc
from zoneinfo import ZoneInfo

import pytest

from calsync.caldav.dav import Account, DavConnection
from calsync.caldav.source import CaldavSource
from calsync.errors import AuthError, CalsyncError, SourceError, TransientError
from calsync.runtime import open_runtime
from calsync.state import StateStore
from tests.caldav.conftest import caldav_config, password_file
from tests.caldav.hostile import hostile_front
from tests.caldav.radicale_server import PASSWORD, USER
from tests.conftest import calendar, vevent
from tests.ics.test_fetch import tls_files  # noqa: F401 — the fixture

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LA)
CAP = 1024 * 1024


@pytest.fixture
def front(radicale):
    with hostile_front(radicale.url) as (front, base):
        yield front, base


def reader(tmp_path, base, store, total=2.5, retries=3):
    account = Account(f"{base}/", USER, str(password_file(tmp_path)))
    connection = DavConnection(account, 2, total, retries=retries, base_delay=0.001, max_bytes=CAP)
    return CaldavSource("nc", f"{base}/robin/interviews/", connection, LA, StateStore(":memory:", LA) if store is None else store)


def test_a_server_dribbling_a_byte_every_2_s_is_cut_at_the_whole_request_deadline(tmp_path, radicale, front):
    hostile, base = front
    radicale.make_calendar("interviews")
    hostile.mode, hostile.every = "dribble", 2.0  # every byte is well within any per-read timeout
    with StateStore(":memory:", LA) as store:
        with pytest.raises(TransientError, match=r"no complete answer within 2\.5 s \(limits\.total_timeout\)") as caught:
            reader(tmp_path, base, store).read(NOW)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"CalDAV {USER}@127.0.0.1")
    assert hostile.connections == 1  # not tried again within the pass: the next pass does


@pytest.mark.parametrize("mode", ["flood", "flood-unsized"])
def test_a_2_gb_answer_is_refused_at_the_size_cap_with_bounded_memory(tmp_path, radicale, front, mode):
    hostile, base = front
    radicale.make_calendar("interviews")
    hostile.mode = mode
    tracemalloc.start()
    try:
        with StateStore(":memory:", LA) as store:
            with pytest.raises(SourceError, match=rf"larger than {CAP} bytes \(limits\.max_bytes\)") as caught:
                reader(tmp_path, base, store).read(NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in str(caught.value) and hostile.connections == 1  # a refusal is not retried
    assert peak < 8 * CAP  # what was read stays near the cap, not 2 GB
    hostile.stop.set()  # the server thread ends its flood; it hung up long before sending 2 GB
    assert all(sent < 256 * CAP for sent in hostile.sent)


@pytest.mark.parametrize("target", ["http://10.0.0.1/robin/interviews/", "http://169.254.169.254/latest/meta-data/",
                                    "http://192.168.1.1/", "http://[::ffff:10.1.2.3]/"])
def test_a_redirect_into_another_network_is_refused_in_one_line(tmp_path, radicale, front, target):
    hostile, base = front  # configured on loopback: loopback only (from a public URL, no internal address at all)
    radicale.make_calendar("interviews")
    hostile.mode, hostile.location = "redirect", target
    with StateStore(":memory:", LA) as store:
        with pytest.raises(SourceError) as caught:
            reader(tmp_path, base, store).read(NOW)
    message = str(caught.value)
    assert "\n" not in message and "refused" in message and "address" in message and message.startswith("CalDAV ")
    assert hostile.connections == 1


def test_a_server_named_calendar_home_in_another_network_is_not_reached(tmp_path, radicale, front):
    hostile, base = front
    hostile.mode = "redirect"
    hostile.location = "http://10.0.0.1/robin/"  # the principal lookup is sent on to the home network
    account = Account(f"{base}/", USER, str(password_file(tmp_path)))
    with pytest.raises(CalsyncError, match="refused"):
        DavConnection(account, 2, 2.5, retries=0).find_or_make_calendar("Follow-ups", ("VEVENT",))


def test_no_deletion_when_a_read_source_turns_hostile(tmp_path, radicale, front):
    hostile, base = front
    radicale.make_calendar("interviews")
    for i in range(3):
        radicale.put(f"/robin/interviews/{i}.ics", calendar(vevent(f"iv{i}", f"2026120{i + 1}T100000", f"2026120{i + 1}T110000")))
    sources = [{"name": "nc", "type": "caldav", "url": f"{base}/robin/interviews/", "username": USER,
                "password_file": str(tmp_path / "caldav-password"), "interval": "1s"}]
    rt = open_runtime(caldav_config(tmp_path, radicale, sources=sources, sink=False,
                                    limits={"connect_timeout": "2s", "total_timeout": "2s", "max_bytes": CAP}))
    connection = rt.engine.polled["nc"].source.connection
    connection.base_delay = 0.001
    try:
        first = rt.engine.tick(NOW)
        assert first.interviews == 3 and first.followups
        for minute, (mode, location) in enumerate([("dribble", ""), ("flood", ""), ("flood-unsized", ""),
                                                   ("redirect", "http://10.0.0.1/robin/interviews/")], start=1):
            hostile.mode, hostile.location, hostile.every = mode, location, 0.5
            report = rt.engine.tick(NOW + dt.timedelta(minutes=minute), poll_all=True)
            assert report.failed_sources == ["nc"] and report.deleted == 0, mode
            assert report.interviews == 3 and report.followups == first.followups, mode
            assert rt.store.source_health()[0][2], mode  # `status` says why
        hostile.mode = "proxy"
        report = rt.engine.tick(NOW + dt.timedelta(minutes=9), poll_all=True)
        assert not report.failed_sources and report.interviews == 3 and report.deleted == 0
    finally:
        rt.store.close()


def test_a_digest_login_is_answered_and_a_wrong_password_is_a_login_error(tmp_path, radicale, front):
    import base64

    hostile, base = front
    radicale.make_calendar("interviews")
    radicale.put("/robin/interviews/a.ics", calendar(vevent("a", "20261201T100000", "20261201T110000")))
    hostile.mode = "digest"
    hostile.digest = (USER, PASSWORD, "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    with StateStore(":memory:", LA) as store:
        snapshot = reader(tmp_path, base, store).read(NOW)
    assert [e.uid for e in snapshot.events] == ["a"]
    assert hostile.logins.count("ok") >= 2 and "bad" not in hostile.logins
    assert hostile.logins.count("none") == 1  # one challenge; later requests answer it straight away
    assert "basic" not in hostile.logins  # over plain http the password never went out unasked
    hostile.digest = (USER, "another", hostile.digest[2])
    with StateStore(":memory:", LA) as store:
        with pytest.raises(AuthError, match="refused the login"):
            reader(tmp_path, base, store).read(NOW)


def test_a_malformed_digest_challenge_is_a_login_error_not_a_crash(tmp_path, radicale, front):
    hostile, base = front
    radicale.make_calendar("interviews")
    hostile.mode, hostile.digest = "digest", (USER, PASSWORD, "")
    for challenge in ('Digest realm="dav", stale', 'Digest realm="dav", nonce="n", opaque=', "Digest"):
        hostile.challenge = challenge
        with StateStore(":memory:", LA) as store:
            with pytest.raises(AuthError, match="kind of Digest login" if " " in challenge else "refused the login"):
                reader(tmp_path, base, store).read(NOW)


def test_https_never_redirects_to_plain_http_and_the_password_stays(tmp_path, radicale, front, tls_files, monkeypatch):
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hostile, base = front  # the plain-http front forwards to Radicale: reaching it would be the downgrade
    radicale.make_calendar("interviews")
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))  # trust the test certificate, as a system CA would

    class Redirect(BaseHTTPRequestHandler):
        def _send(self):
            self.send_response(301)
            self.send_header("Location", base + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PROPFIND = do_REPORT = do_GET = _send  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with StateStore(":memory:", LA) as store:
            with pytest.raises(SourceError, match="from https to plain http") as caught:
                reader(tmp_path, f"https://localhost:{server.server_address[1]}", store).read(NOW)
    finally:
        server.shutdown()
        server.server_close()
    assert "\n" not in str(caught.value) and hostile.connections == 0


def test_an_account_on_a_public_address_never_reaches_this_machine(tmp_path, radicale, front):
    hostile, base = front  # as when a public server names a calendar (or redirects) to 127.0.0.1
    radicale.make_calendar("interviews")
    account = Account("https://93.184.216.34/dav/", USER, str(password_file(tmp_path)))  # public; never connected to here
    with StateStore(":memory:", LA) as store, pytest.raises(SourceError) as caught:
        CaldavSource("nc", f"{base}/robin/interviews/", DavConnection(account, 2, 2.5, retries=0), LA, store).read(NOW)
    message = str(caught.value)
    assert "\n" not in message and "loopback address (127.0.0.1); refused" in message
    assert hostile.connections == 0
