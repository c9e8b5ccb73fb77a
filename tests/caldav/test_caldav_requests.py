"""Bounded CalDAV requests: credentials stay with the configured origin, redirects cannot downgrade."""
import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from calsync.caldav.dav import Account, DavConnection
from calsync.caldav.source import CaldavSource
from calsync.errors import AuthError
from calsync.state import StateStore
from tests.caldav.conftest import password_file
from tests.caldav.radicale_server import USER

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def redirector(radicale):
    """127.0.0.1:A answers every request with a 307 to the same path on localhost:(Radicale's port): another origin."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def _redirect(self):
            seen.append(dict(self.headers))
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{radicale.port}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PROPFIND = do_REPORT = do_PUT = do_DELETE = _redirect  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_credentials_are_never_sent_to_another_origin_after_a_redirect(tmp_path, radicale, redirector):
    base, seen = redirector
    radicale.make_calendar("interviews")
    setup = len(radicale.log)
    account = Account(f"{base}/", USER, str(password_file(tmp_path)))
    with StateStore(":memory:", LA) as store:
        source = CaldavSource("nc", f"{base}/robin/interviews/", DavConnection(account, 2, 2, retries=0), LA, store)
        with pytest.raises(AuthError, match="refused the login"):
            source.read(dt.datetime(2026, 11, 25, tzinfo=LA))
    assert any("Authorization" in headers for headers in seen)  # the configured origin got them
    reached = radicale.log[setup:]
    assert reached and not [op for op in reached if "Authorization" in op.headers]  # the other never did
