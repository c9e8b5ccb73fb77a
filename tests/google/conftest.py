"""A fake Google Calendar over HTTP, and configs/tokens pointing at it."""
import datetime as dt
import json

import pytest

from calsync.config import build_config
from tests.fake_google import FakeGoogle, serve_fake


@pytest.fixture
def google():
    fake = FakeGoogle()
    server, endpoint = serve_fake(fake)
    yield fake, endpoint
    server.shutdown()
    server.server_close()
    assert fake.invalid == [], "calsync sent requests Google would reject"


SCOPES = ["https://www.googleapis.com/auth/calendar.events.readonly", "https://www.googleapis.com/auth/calendar.app.created"]


def write_token(path, endpoint, expired=False, scopes=SCOPES):
    base = endpoint.split("/calendar/v3/")[0]
    expiry = dt.datetime(2020, 1, 1) if expired else dt.datetime(2099, 1, 1)
    path.write_text(json.dumps({"token": "fake-access-token", "refresh_token": "fake-refresh", "token_uri": f"{base}/token",
                                "client_id": "fake-client", "client_secret": "fake-secret",
                                **({"scopes": list(scopes)} if scopes is not None else {}),
                                "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    path.chmod(0o600)


def google_config(tmp_path, endpoint, sources=None, sink=True, **extra):
    token = tmp_path / "google-token.json"
    if not token.exists():
        write_token(token, endpoint)
    return build_config({
        "timezone": "America/Los_Angeles", "state_dir": str(tmp_path / "state"),
        "sources": sources if sources is not None else [{"name": "gcal", "type": "google", "calendar_id": "primary", "interval": "1s"}],
        "google": {"sink": sink, "api_endpoint": endpoint, "token_file": str(token),
                   "token_uri": endpoint.split("/calendar/v3/")[0] + "/token"}, **extra,
    })


def gevent(event_id, day, hour=10, summary="Onsite #interview", description="", **extra):
    start = dt.datetime(2026, 12, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    return {"id": event_id, "iCalUID": f"{event_id}@google.com", "summary": summary, "description": description,
            "start": {"dateTime": start.isoformat(), "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": (start + dt.timedelta(hours=1)).isoformat(), "timeZone": "America/Los_Angeles"}, **extra}
