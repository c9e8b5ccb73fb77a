"""The CLI's log handler and the test fixtures' closed port: no stale streams, no port races."""
import errno
import io
import logging
import socket
import sys

import pytest

from calsync.cli.logs import configure_logging
from tests.http_fixtures import closed_port


def test_log_lines_go_to_the_stderr_of_the_moment(monkeypatch):
    """A stream closed after configure_logging (pytest's capture between tests) is never written to."""
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging(False)
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("calsync").warning("after the first stream closed")
    written = second.getvalue()
    assert "after the first stream closed" in written
    assert "Logging error" not in written and "closed file" not in written


def test_closed_port_refuses_and_cannot_be_taken():
    port = closed_port()
    with socket.socket() as other:
        with pytest.raises(OSError) as bound:
            other.bind(("127.0.0.1", port))
        assert bound.value.errno == errno.EADDRINUSE
    with socket.socket() as client:
        client.settimeout(10)
        with pytest.raises(ConnectionRefusedError):
            client.connect(("127.0.0.1", port))
