"""A real CalDAV server per test (Radicale, or each of Radicale and Xandikos), and configurations pointing at it."""
import pytest

from calsync.config import build_config
from tests.caldav.radicale_server import PASSWORD, USER, Radicale
from tests.caldav.xandikos_server import Xandikos

SERVERS = {"radicale": Radicale, "xandikos": Xandikos}


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path / "radicale")
    yield server
    server.close()


@pytest.fixture
def xandikos(tmp_path):
    server = Xandikos(tmp_path / "xandikos")
    yield server
    server.close()


@pytest.fixture(params=sorted(SERVERS))
def dav(request, tmp_path):
    """Each real server in turn, for behaviour that must not depend on the server."""
    server = SERVERS[request.param](tmp_path / request.param)
    yield server
    server.close()


def password_file(tmp_path, password=PASSWORD):
    path = tmp_path / "caldav-password"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return path


def caldav_config(tmp_path, server, sources=None, sink=True, password=PASSWORD, state_dir=None, limits=None, **caldav):
    secret = password_file(tmp_path, password)
    return build_config({
        "timezone": "America/Los_Angeles", "state_dir": state_dir or str(tmp_path / "state"),
        "sources": sources if sources is not None else [{"name": "cal", "path": str(tmp_path / "x.ics")}],
        "limits": limits or {"connect_timeout": "2s", "total_timeout": "2s"},
        "caldav": {"sink": sink, "url": server.url, "username": USER, "password_file": str(secret), **caldav},
    })
