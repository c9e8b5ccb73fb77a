"""The Google source against the fake, through the real google-api-python-client."""
import datetime as dt
from zoneinfo import ZoneInfo

from calsync.errors import AuthError
from calsync.runtime import open_runtime
from tests.fake_google import Fault
from tests.google.conftest import gevent, google_config

LA = ZoneInfo("America/Los_Angeles")
T0 = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def source_of(rt):
    return next(p.source for p in rt.engine.polled.values())


def test_full_then_incremental_sync(tmp_path, google):
    fake, endpoint = google
    for i in range(1, 6):
        fake.put_event("primary", gevent(f"ev{i}", i))
    fake.put_event("primary", gevent("dentist", 3, summary="Dentist"))
    fake.page_size = 2
    rt = open_runtime(google_config(tmp_path, endpoint, sink=False))
    report = rt.engine.tick(T0)
    assert report.interviews == 5
    pages = [op for op in fake.log if op.method == "GET"]
    assert len(pages) == 3 and "syncToken" not in pages[0].query
    before = len(fake.log)
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert len(fake.log) - before == 1 and "syncToken" in fake.log[-1].query  # an idle poll is one request
    fake.user_delete("primary", "ev2")
    fake.put_event("primary", gevent("ev6", 6, description="Outcome: offer 2026-12-07"))
    report = rt.engine.tick(T0 + dt.timedelta(minutes=2), poll_all=True)
    assert report.interviews == 5
    assert {i[0] for i in rt.store.known_interviews()} >= {"ev6@google.com"}
    assert "ev2" not in {e.uid.split("@")[0] for e in source_of(rt).restore(None, T0).events}


def test_sync_token_is_stored_only_after_the_last_page(tmp_path, google):
    fake, endpoint = google
    for i in range(1, 6):
        fake.put_event("primary", gevent(f"ev{i}", i))
    fake.page_size = 2
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.query.get("pageToken") == "4"))
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.query.get("pageToken") == "4"))
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.query.get("pageToken") == "4"))
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.query.get("pageToken") == "4"))
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.query.get("pageToken") == "4"))
    config = google_config(tmp_path, endpoint, sink=False)
    rt = open_runtime(config)
    source = source_of(rt)
    source.sleep_base = 0.001
    report = rt.engine.tick(T0)
    assert report.failed_sources == ["gcal"]
    assert not rt.store.get_meta("google_sync:gcal")  # the last page never came: no token
    report = rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert report.interviews == 5 and rt.store.get_meta("google_sync:gcal")


def test_410_at_a_random_page_relists_without_a_wipe(tmp_path, google):
    fake, endpoint = google
    for i in range(1, 8):
        fake.put_event("primary", gevent(f"ev{i}", i))
    fake.page_size = 3
    rt = open_runtime(google_config(tmp_path, endpoint, sink=False))
    rt.engine.tick(T0)
    fake.put_event("primary", gevent("ev8", 8))
    fake.expire_sync_tokens()
    report = rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert report.interviews == 8 and report.deleted == 0
    statuses = [op.query.get("syncToken") for op in fake.log if op.method == "GET"]
    assert statuses[-4] is not None and all(s is None for s in statuses[-3:])  # 410, then a full list of 3 pages


def test_events_become_interviews_with_everything_google_knows(tmp_path, google):
    fake, endpoint = google
    fake.put_event("primary", gevent("colored", 1, summary="Chat with Acme", colorId="11",
                                     organizer={"email": "jane@acme.example", "displayName": "Jane Doe"}))
    fake.put_event("primary", gevent("declined", 2, attendees=[{"email": "me@x.example", "self": True, "responseStatus": "declined"}]))
    fake.put_event("primary", gevent("cancelled", 3, status="cancelled"))
    fake.put_event("primary", gevent("inst1", 4, recurringEventId="series", originalStartTime={"dateTime": "2026-12-04T10:00:00-08:00"},
                                     iCalUID="series@google.com"))
    fake.put_event("primary", gevent("ours", 5, extendedProperties={"private": {"calsync": "1"}}))
    config = google_config(tmp_path, endpoint, sink=False, match={"color_ids": ["11"]})
    rt = open_runtime(config)
    rt.engine.tick(T0)
    items = {i.interview: i for i in rt.store.plan_items()}
    assert set(items) == {"colored@google.com", "series@google.com@20261204T180000Z"}
    thank_you = next(i for i in rt.store.plan_items() if i.interview == "colored@google.com" and i.kind == "thank_you")
    assert "Jane" in rt.store.published("feed")[thank_you.fid].payload.decode()


def test_revoked_token_is_degraded_mode(tmp_path, google):
    from tests.google.conftest import write_token

    fake, endpoint = google
    fake.put_event("primary", gevent("ev1", 1))
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    fake.revoked = True
    rt = open_runtime(google_config(tmp_path, endpoint))
    report = rt.engine.tick(T0)
    assert report.auth_error and "calsync auth google" in report.auth_error
    assert "re-authorization" in report.line()
    assert rt.store.login_problems()
    fake.revoked = False
    report = rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert not report.auth_error and report.interviews == 1 and not rt.store.login_problems()


def test_missing_token_is_an_auth_error(tmp_path):
    from calsync.google.auth import load_credentials

    config = google_config(tmp_path, "http://127.0.0.1:9/calendar/v3/")
    (tmp_path / "google-token.json").unlink()
    try:
        load_credentials(config)
    except AuthError as exc:
        assert "calsync auth google" in str(exc)
    else:
        raise AssertionError("no AuthError")


def test_plan_reads_google_sources_and_writes_nothing(tmp_path, google, capsys):
    import json

    from calsync.cli.main import main

    fake, endpoint = google
    fake.put_event("primary", gevent("ev1", 1))
    config = google_config(tmp_path, endpoint, sink=False)
    toml = tmp_path / "c.toml"
    toml.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{config.state_dir}"\n'
                    f'[[sources]]\ntype = "google"\ncalendar_id = "primary"\n'
                    f'[google]\napi_endpoint = "{endpoint}"\ntoken_file = "{config.google.token_file}"\ntoken_uri = "{config.google.token_uri}"\n')
    assert main(["--config", str(toml), "plan", "--json", "--now", "2026-11-25T12:00"]) == 0
    followups = json.loads(capsys.readouterr().out)["followups"]
    assert {f["interview"] for f in followups} == {"ev1@google.com"} and len(followups) == 3
    assert not config.state_dir.exists()
