"""The feed server over a real socket on 127.0.0.1."""
import gzip
import http.client
import select
import socket
import time
from zoneinfo import ZoneInfo

import pytest

from calsync.web.token import FeedToken
from calsync.web.server import start_feed_server
from calsync.ics.feed import write_atomically
from calsync.state import StateStore

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def served(tmp_path):
    store = StateStore(tmp_path / "state.sqlite3", ZoneInfo("UTC"))
    token = FeedToken(store, tmp_path).ensure()
    write_atomically(tmp_path / "followups.ics", FEED)
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "followups.ics", tmp_path / "state.sqlite3", max_connections=3, timeout=0.5, poll_interval=0.05)
    yield server, token, store, tmp_path
    server.shutdown()
    server.server_close()
    store.close()


def request(server, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_get_serves_the_feed_with_caching_headers(served):
    server, token, *_ = served
    response, body = request(server, f"/{token}/followups.ics")
    assert response.status == 200 and body == FEED
    assert response.getheader("Content-Type") == "text/calendar; charset=utf-8"
    assert response.getheader("Cache-Control").startswith("private")
    assert response.getheader("ETag") and response.getheader("Last-Modified")


def test_head_has_headers_and_no_body(served):
    server, token, *_ = served
    response, body = request(server, f"/{token}/followups.ics", "HEAD")
    assert response.status == 200 and body == b"" and int(response.getheader("Content-Length")) == len(FEED)


def test_conditional_requests(served):
    server, token, _, tmp_path = served
    first, _ = request(server, f"/{token}/followups.ics")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert request(server, f"/{token}/followups.ics", headers={"If-None-Match": etag})[0].status == 304
    assert request(server, f"/{token}/followups.ics", headers={"If-Modified-Since": modified})[0].status == 304
    # No pause needed: the feed is replaced by rename, so its inode (part of the server's change key) always changes.
    write_atomically(tmp_path / "followups.ics", FEED.replace(b"2.0", b"2.0\r\nX-CHANGED:1"))
    response, body = request(server, f"/{token}/followups.ics", headers={"If-None-Match": etag})
    assert response.status == 200 and b"X-CHANGED" in body and response.getheader("ETag") != etag


@pytest.mark.parametrize("path", ["/wrong/followups.ics", "//followups.ics", "/" + "a" * 10_000 + "/followups.ics",
                                  "/%C3%A9t%C3%A9/followups.ics", "/", "/followups.ics", "/../state.sqlite3"])
def test_bad_tokens_get_404_never_500(served, path):
    server, *_ = served
    response, _ = request(server, path)
    assert response.status == 404


def test_raw_non_ascii_request_line_is_refused_not_500(served):
    server, *_ = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall("GET /\u00e9\u00e9\u00e9/followups.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode("utf-8"))
        assert sock.recv(100)[:12] in (b"HTTP/1.1 404", b"HTTP/1.1 400")


def test_token_with_a_suffix_or_wrong_file_is_404(served):
    server, token, *_ = served
    assert request(server, f"/{token}x/followups.ics")[0].status == 404
    assert request(server, f"/{token}/other.ics")[0].status == 404
    assert request(server, f"/{token}/followups.ics?x=1")[0].status == 200


def test_other_methods_are_not_500(served):
    server, token, *_ = served
    assert request(server, f"/{token}/followups.ics", "POST")[0].status == 405
    assert request(server, "/wrong/followups.ics", "POST")[0].status == 404
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01garbage\r\n\r\n")
        answer = b"".join(iter(lambda: sock.recv(4096), b""))
        assert b"400" in answer and b"500" not in answer


def test_rotation_makes_the_old_url_404_at_once(served):
    server, token, store, tmp_path = served
    new = FeedToken(store, tmp_path).rotate()
    assert request(server, f"/{token}/followups.ics")[0].status == 404
    assert request(server, f"/{new}/followups.ics")[0].status == 200


def test_idle_clients_are_cut_off_and_cannot_starve_others(served):
    server, token, *_ = served
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3)]
    try:
        # Every slot is held by a silent client: a newcomer still gets its answer (the longest waiter makes room).
        response, _ = request(server, f"/{token}/followups.ics")
        assert response.status == 200
        # The deadline closes the silent ones: the server hangs up on each (recv returns b"" or the socket is reset).
        for sock in idle:
            try:
                assert sock.recv(100) == b""
            except ConnectionResetError:
                pass
    finally:
        for sock in idle:
            sock.close()


def test_feed_not_written_yet_is_503(tmp_path):
    store = StateStore(tmp_path / "state.sqlite3", ZoneInfo("UTC"))
    token = FeedToken(store, tmp_path).ensure()
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "followups.ics", tmp_path / "state.sqlite3", 3, 1.0, poll_interval=0.05)
    try:
        assert request(server, f"/{token}/followups.ics")[0].status == 503
    finally:
        server.shutdown()
        server.server_close()
        store.close()


def test_token_file_is_private_and_db_keeps_only_the_hash(served):
    _, token, store, tmp_path = served
    assert (tmp_path / "feed-token").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state.sqlite3").stat().st_mode & 0o777 == 0o600
    assert token.encode() not in (tmp_path / "state.sqlite3").read_bytes()


def test_gzip_is_offered_compressed_once_and_validated_separately(served):
    server, token, _, tmp_path = served
    big = FEED.replace(b"VERSION:2.0", b"VERSION:2.0\r\n" + b"X-PAD:follow-up\r\n" * 5000)
    write_atomically(tmp_path / "followups.ics", big)
    plain, plain_body = request(server, f"/{token}/followups.ics")
    zipped, zipped_body = request(server, f"/{token}/followups.ics", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert plain.getheader("Content-Encoding") is None and plain_body == big
    assert zipped.getheader("Content-Encoding") == "gzip" and gzip.decompress(zipped_body) == big
    assert len(zipped_body) < len(big) // 20
    assert "Accept-Encoding" in zipped.getheader("Vary")
    assert zipped.getheader("ETag") != plain.getheader("ETag")
    again, again_body = request(server, f"/{token}/followups.ics", headers={"Accept-Encoding": "gzip"})
    assert again_body == zipped_body  # the same bytes: compressed once per feed version
    conditional = request(server, f"/{token}/followups.ics",
                          headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.getheader("ETag")})[0]
    assert conditional.status == 304
    refused = request(server, f"/{token}/followups.ics", headers={"Accept-Encoding": "gzip;q=0"})[1]
    assert refused == big


def test_if_modified_since_a_later_date_is_304_and_an_earlier_one_200(served):
    server, token, *_ = served
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert request(server, f"/{token}/followups.ics", headers={"If-Modified-Since": later})[0].status == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert request(server, f"/{token}/followups.ics", headers={"If-Modified-Since": earlier})[0].status == 200
    assert request(server, f"/{token}/followups.ics", headers={"If-Modified-Since": "garbage"})[0].status == 200


def test_keep_alive_serves_several_requests_on_one_connection(served):
    server, token, *_ = served
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", f"/{token}/followups.ics")
        first = conn.getresponse()
        first.read()
        local = conn.sock.getsockname()
        conn.request("GET", f"/{token}/followups.ics", headers={"If-None-Match": first.getheader("ETag")})
        second = conn.getresponse()
        second.read()
        assert first.status == 200 and second.status == 304
        assert conn.sock is not None and conn.sock.getsockname() == local  # the same TCP connection
    finally:
        conn.close()


def test_a_request_dribbled_byte_by_byte_is_cut_off_at_the_whole_request_deadline(served):
    server, token, *_ = served  # deadline 0.5 s; each byte comes well within it, so only the whole-request deadline can act
    line = f"GET /{token}/followups.ics HTTP/1.1\r\nHost: x\r\n".encode() + b"X-Slow: " + b"a" * 10_000
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sent = 0
        closed = False
        while time.monotonic() - started < 30 and sent < len(line):
            try:
                sock.sendall(line[sent:sent + 1])
            except OSError:
                closed = True
                break
            sent += 1
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                try:
                    closed = sock.recv(100) == b""
                except ConnectionResetError:
                    closed = True
                if closed:
                    break
        assert closed, f"still open after {sent} bytes"
