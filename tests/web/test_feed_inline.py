"""Feed requests answered on the server's loop thread from memory: the same answers as the WSGI path, in order."""
import gzip
import http.client
import socket
from zoneinfo import ZoneInfo

import pytest

from calsync.ics.feed import write_atomically
from calsync.state import StateStore
from calsync.web.server import start_feed_server
from calsync.web.token import FeedToken

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + b"X-PAD:follow-up\r\n" * 5000 + b"END:VCALENDAR\r\n"


@pytest.fixture
def served(tmp_path):
    store = StateStore(tmp_path / "state.sqlite3", ZoneInfo("UTC"))
    token = FeedToken(store, tmp_path).ensure()
    write_atomically(tmp_path / "followups.ics", FEED)
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "followups.ics", tmp_path / "state.sqlite3", 8, 5.0)
    yield server, token, store, tmp_path
    server.shutdown()
    store.close()


def read_responses(sock: socket.socket, count: int, heads: list[str]) -> list[tuple[str, dict[str, str], bytes]]:
    """``count`` responses from ``sock``; ``heads`` gives each one's request method (HEAD answers have no body)."""
    data, out = b"", []
    while len(out) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} responses"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        length = 0 if heads[len(out)] == "HEAD" or " 304 " in lines[0] + " " else int(headers.get("content-length", 0))
        while len(data) < length:
            chunk = sock.recv(65536)
            assert chunk
            data += chunk
        out.append((lines[0], headers, data[:length]))
        data = data[length:]
    return out


def get(server, path, headers=None, method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_pipelined_requests_mixing_inline_and_worker_answers_come_back_in_order(served):
    server, token, *_ = served
    first, _ = get(server, f"/{token}/followups.ics")  # loads this version into memory
    etag = first.getheader("ETag")
    get(server, f"/{token}/followups.ics", {"Accept-Encoding": "gzip"})  # and its gzip form
    feed = f"/{token}/followups.ics"
    # Memory answers the first five at once (bodies still going out when the next is answered); the 404 and
    # the 405 go to a worker, and what follows them waits its turn.
    requests = [("GET", feed, f"If-None-Match: {etag}"), ("HEAD", feed, ""), ("GET", feed, "Accept-Encoding: gzip"),
                ("GET", feed, ""), ("GET", feed, f"If-None-Match: {etag}"), ("GET", f"/{token}/nothing", ""),
                ("POST", feed, "Content-Length: 0"), ("GET", feed, ""), ("GET", feed, f"If-None-Match: {etag}")]
    wire = "".join(f"{method} {path} HTTP/1.1\r\nHost: x\r\n{extra + chr(13) + chr(10) if extra else ''}\r\n"
                   for method, path, extra in requests).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(wire)
        answers = read_responses(sock, len(requests), [method for method, *_ in requests])
    statuses = [status.split()[1] for status, *_ in answers]
    assert statuses == ["304", "200", "200", "200", "304", "404", "405", "200", "304"]
    assert answers[1][2] == b"" and int(answers[1][1]["content-length"]) == len(FEED)
    assert gzip.decompress(answers[2][2]) == FEED and answers[2][1]["content-encoding"] == "gzip"
    assert answers[3][2] == answers[7][2] == FEED


def test_inline_answers_carry_the_same_headers_as_the_worker_path(served):
    server, token, *_ = served
    path = f"/{token}/followups.ics"
    worker, worker_body = get(server, path)  # the first request reads the file: always the WSGI path
    inline, inline_body = get(server, path)
    assert inline_body == worker_body == FEED
    drop = {"date"}
    assert {(k.lower(), v) for k, v in inline.getheaders() if k.lower() not in drop} == \
           {(k.lower(), v) for k, v in worker.getheaders() if k.lower() not in drop}
    # HTTP/1.0 always takes the worker path; its 304 must match the inline 304 apart from connection handling.
    etag = worker.getheader("ETag")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nIf-None-Match: {etag}\r\n\r\n".encode())
        old = read_responses(sock, 1, ["GET"])[0]
    fresh, _ = get(server, path, {"If-None-Match": etag})
    drop |= {"connection"}
    assert old[0].split()[1] == "304" and fresh.status == 304
    assert {k: v for k, v in old[1].items() if k not in drop} == \
           {k.lower(): v for k, v in fresh.getheaders() if k.lower() not in drop}


def test_connection_close_is_honoured_on_a_request_memory_could_answer(served):
    server, token, *_ = served
    first, _ = get(server, f"/{token}/followups.ics")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET /{token}/followups.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     f"If-None-Match: {first.getheader('ETag')}\r\n\r\n".encode())
        answer = b"".join(iter(lambda: sock.recv(4096), b""))  # ends only when the server closes
    assert answer.startswith(b"HTTP/1.1 304 ")


def test_a_changed_feed_is_never_answered_from_the_old_version(served):
    server, token, _, tmp_path = served
    path = f"/{token}/followups.ics"
    old, _ = get(server, path)
    get(server, path, {"Accept-Encoding": "gzip"})
    for i in range(5):
        changed = FEED.replace(b"VERSION:2.0", f"VERSION:2.0\r\nX-CHANGED:{i}".encode())
        write_atomically(tmp_path / "followups.ics", changed)
        response, body = get(server, path, {"If-None-Match": old.getheader("ETag")})
        assert response.status == 200 and body == changed and response.getheader("ETag") != old.getheader("ETag")
        zipped, zipped_body = get(server, path, {"Accept-Encoding": "gzip"})
        assert gzip.decompress(zipped_body) == changed
        assert get(server, path, {"If-None-Match": response.getheader("ETag")})[0].status == 304
        old = response


def test_rotation_through_another_connection_ends_the_old_token_at_once(served):
    server, token, store, tmp_path = served
    path = f"/{token}/followups.ics"
    first, _ = get(server, path)
    assert get(server, path, {"If-None-Match": first.getheader("ETag")})[0].status == 304  # the hash is cached now
    other = StateStore(tmp_path / "state.sqlite3", ZoneInfo("UTC"))  # as `calsync rotate-feed-token` would
    try:
        new = FeedToken(other, tmp_path).rotate()
    finally:
        other.close()
    assert get(server, path, {"If-None-Match": first.getheader("ETag")})[0].status == 404
    assert get(server, f"/{new}/followups.ics", {"If-None-Match": first.getheader("ETag")})[0].status == 304


def test_a_wrong_token_with_a_matching_validator_is_still_404(served):
    server, token, *_ = served
    first, _ = get(server, f"/{token}/followups.ics")
    wrong = token[:-1] + ("a" if token[-1] != "a" else "b")
    response, _ = get(server, f"/{wrong}/followups.ics", {"If-None-Match": first.getheader("ETag")})
    assert response.status == 404


def test_an_unreadable_database_leaves_the_token_file_in_charge_on_both_paths(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    store = StateStore(good / "state.sqlite3", ZoneInfo("UTC"))
    token = FeedToken(store, tmp_path).ensure()  # the token file lands in tmp_path, beside the damaged database
    store.close()
    (tmp_path / "state.sqlite3").write_bytes(b"this is not a database, it was damaged" * 200)
    write_atomically(tmp_path / "followups.ics", FEED)
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "followups.ics", tmp_path / "state.sqlite3", 8, 5.0)
    try:
        path = f"/{token}/followups.ics"
        first, body = get(server, path)
        assert first.status == 200 and body == FEED
        for _ in range(3):  # the loop thread cannot tell without the database, so a worker answers
            assert get(server, path, {"If-None-Match": first.getheader("ETag")})[0].status == 304
        assert get(server, "/" + "x" * len(token) + "/followups.ics", {"If-None-Match": first.getheader("ETag")})[0].status == 404
    finally:
        server.shutdown()
