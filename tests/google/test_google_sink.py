"""The Google sink against the fake: requests per follow-up, user edits and deletions, 409, 412, rate limits."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calsync.core.reconcile import Ownership
from calsync.runtime import open_runtime
from tests.conftest import calendar, vevent
from tests.fake_google import Fault
from tests.google.conftest import google_config

LA = ZoneInfo("America/Los_Angeles")
T0 = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


@pytest.fixture
def setup(tmp_path, google):
    fake, endpoint = google
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000")))
    config = google_config(tmp_path, endpoint, sources=[{"name": "cal", "path": str(ics), "interval": "1s"}])
    rt = open_runtime(config)
    sink = rt.engine.sinks[1]
    sink.base_delay = 0.001
    return fake, rt, sink, ics


def ops(fake, since=0):
    return [(op.method, op.path.rsplit("/", 1)[-1]) for op in fake.log[since:]]


def test_new_followups_cost_one_write_each_and_no_read(setup):
    fake, rt, sink, _ = setup
    rt.engine.tick(T0)
    cal = sink.calendar_id
    events = fake.live_events(cal)
    assert len(events) == 3
    inserts = [op for op in fake.log if op.method == "POST" and op.path.endswith("/events")]
    assert len(inserts) == 3 and all(op.in_batch for op in inserts)
    assert [op for op in fake.log if op.method == "GET" and "/events" in op.path] == []
    assert fake.http_requests.count("POST /batch/calendar/v3") == 1  # the batch endpoint follows api_endpoint
    event = events[0]
    assert event["extendedProperties"]["private"]["calsync"] == "1" and event["transparency"] == "transparent"
    assert event["reminders"]["overrides"] == [{"method": "popup", "minutes": 10}]
    before = len(fake.log)
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert len(fake.log) == before  # nothing changed: no request at all


def test_created_calendar_is_remembered(setup, tmp_path):
    fake, rt, sink, _ = setup
    rt.engine.tick(T0)
    rt.store.close()
    again = open_runtime(rt.config)
    assert again.engine.sinks[1].calendar_id == sink.calendar_id
    assert sum(1 for op in fake.log if op.path.endswith("/calendars")) == 1


def test_user_edits_and_deletions_survive_100_cycles(setup):
    fake, rt, sink, ics = setup
    rt.engine.tick(T0)
    cal = sink.calendar_id
    ids = sorted(e["id"] for e in fake.live_events(cal))
    fake.user_edit(cal, ids[0], summary="My own words", description="edited by me")
    fake.user_delete(cal, ids[1])
    for cycle in range(100):
        if cycle % 10 == 5:  # the interview text changes now and then: calsync wants to update everything
            ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000", description=f"Company: Acme {cycle}")))
        rt.engine.tick(T0 + dt.timedelta(minutes=cycle + 1), poll_all=True)
    edited = fake.calendars[cal].events[ids[0]]
    assert edited["summary"] == "My own words" and edited["description"] == "edited by me"
    assert fake.calendars[cal].events[ids[1]]["status"] == "cancelled"
    rows = rt.store.published("google")
    assert rows[ids[0]].status == Ownership.USER_EDITED.value and rows[ids[1]].status == Ownership.USER_DELETED.value
    assert "Acme 95" in fake.calendars[cal].events[ids[2]]["description"]  # the untouched one is still managed


def test_insert_409_for_a_deleted_id_is_never_written_again(setup):
    fake, rt, sink, _ = setup
    sink._ensure_calendar()
    cal = sink.calendar_id
    plan_ids = []
    rt.engine.tick(T0)
    plan_ids = sorted(e["id"] for e in fake.live_events(cal))
    # Forget everything locally, as after a lost database, and let the user have deleted one meanwhile.
    rt.store.db.execute("DELETE FROM published WHERE sink='google'")
    fake.user_delete(cal, plan_ids[0])
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    rows = rt.store.published("google")
    assert rows[plan_ids[0]].status == Ownership.USER_DELETED.value
    assert all(rows[i].status == Ownership.MANAGED.value for i in plan_ids[1:])  # adopted after 409, not duplicated
    assert fake.calendars[cal].events[plan_ids[0]]["status"] == "cancelled"
    assert len(fake.calendars[cal].events) == 3


def test_rate_limits_and_server_errors_are_retried(setup):
    fake, rt, sink, _ = setup
    fake.faults += [Fault(429, "rateLimitExceeded", match=lambda op: op.in_batch),
                    Fault(403, "userRateLimitExceeded", match=lambda op: op.in_batch),
                    Fault(500, "backendError", match=lambda op: op.in_batch)]
    report = rt.engine.tick(T0)
    assert len(fake.live_events(sink.calendar_id)) == 3 and report.created == 6  # 3 in the feed, 3 in Google


def test_other_4xx_skips_that_item_only(setup):
    fake, rt, sink, _ = setup
    fake.faults.append(Fault(400, "invalid", match=lambda op: op.in_batch))
    rt.engine.tick(T0)
    assert len(fake.live_events(sink.calendar_id)) == 2 and len(sink.skipped) == 1
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)  # retried on the next pass
    assert len(fake.live_events(sink.calendar_id)) == 3


def test_cancelled_interview_removes_its_events_and_never_touches_foreign_ones(setup):
    fake, rt, sink, ics = setup
    rt.engine.tick(T0)
    cal = sink.calendar_id
    fake.put_event(cal, {"id": "foreign1", "summary": "Mine", "start": {"dateTime": "2026-12-03T10:00:00-08:00"},
                         "end": {"dateTime": "2026-12-03T11:00:00-08:00"}})
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000", extra="STATUS:CANCELLED")))
    report = rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True, force=True)
    assert report.deleted == 6  # 3 from the feed, 3 from Google
    assert [e["id"] for e in fake.live_events(cal)] == ["foreign1"]
    deletes = [op for op in fake.log if op.method == "DELETE"]
    assert len(deletes) == 3 and all(op.headers.get("if-match") for op in deletes)


def test_revoked_token_while_writing_keeps_the_feed_going(setup):
    fake, rt, sink, _ = setup
    fake.revoked = True
    report = rt.engine.tick(T0)
    assert report.auth_error and report.feed_written and report.followups == 3
