"""URL sources against a real local server: redirects, size, timeouts, conditional GET."""
import socket
import threading

import pytest

from calsync.errors import SourceError
from calsync.ics.fetch import Validators, fetch_url, redact_url
from tests.http_fixtures import calendar_server

LIMITS = {"max_bytes": 1000, "connect_timeout": 2.0, "total_timeout": 5.0, "max_redirects": 3}


def test_conditional_get_and_validators():
    with calendar_server() as (server, base):
        server.serve("/c.ics", b"BEGIN:VCALENDAR", headers={"ETag": '"e1"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
        first = fetch_url(base + "/c.ics", **LIMITS)
        assert first.body == b"BEGIN:VCALENDAR" and first.validators == Validators('"e1"', "Tue, 01 Dec 2026 10:00:00 GMT")
        second = fetch_url(base + "/c.ics", first.validators, **LIMITS)
        assert second.body is None and server.requests[-1][1]["If-None-Match"] == '"e1"'


def test_redirects_are_followed_up_to_the_limit():
    with calendar_server() as (server, base):
        server.serve("/c.ics", b"ok")
        server.serve("/r1", b"", 302, {"Location": base + "/c.ics"})
        assert fetch_url(base + "/r1", **LIMITS).body == b"ok"
        for i in range(6):
            server.serve(f"/loop{i}", b"", 302, {"Location": f"{base}/loop{i + 1}"})
        with pytest.raises(SourceError):
            fetch_url(base + "/loop0", **LIMITS)


def test_redirect_to_another_scheme_is_refused():
    with calendar_server() as (server, base):
        server.serve("/r", b"", 302, {"Location": "ftp://127.0.0.1/cal.ics"})
        with pytest.raises(SourceError, match="non-HTTP"):
            fetch_url(base + "/r", **LIMITS)
        server.serve("/f", b"", 302, {"Location": "file:///etc/passwd"})
        with pytest.raises(SourceError, match="not allowed"):
            fetch_url(base + "/f", **LIMITS)


def test_response_size_limit():
    with calendar_server() as (server, base):
        server.serve("/big", b"x" * 5000)
        with pytest.raises(SourceError, match="larger than 1000 bytes"):
            fetch_url(base + "/big", **LIMITS)


def test_a_server_that_never_answers_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        with pytest.raises(SourceError, match="unreachable|longer than"):
            fetch_url(f"http://127.0.0.1:{listener.getsockname()[1]}/c.ics", **{**LIMITS, "connect_timeout": 0.3})
    finally:
        listener.close()


def test_redaction():
    assert redact_url("https://u:secret@host.example:8443/cal.ics?token=t") == "https://host.example:8443/cal.ics?…"
