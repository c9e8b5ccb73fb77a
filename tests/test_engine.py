"""The glue end to end: a real .ics file or URL, real SQLite, the feed file."""
import datetime as dt
import os
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calsync.config import build_config
from calsync.runtime import feed_path, open_runtime
from tests.conftest import calendar, vevent
from tests.http_fixtures import calendar_server

LA = ZoneInfo("America/Los_Angeles")
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LA)


def interviews(*days, prefix="i"):
    return calendar(*(vevent(f"{prefix}{d}", f"202612{d:02d}T100000", f"202612{d:02d}T110000") for d in days))


def make(tmp_path, location, **extra):
    config = build_config({"timezone": "America/Los_Angeles", "state_dir": str(tmp_path / "state"),
                           "sources": [{"name": "cal", **location}], **extra})
    return config, open_runtime(config)


def feed_events(config):
    cal = icalendar.Calendar.from_ical(feed_path(config).read_bytes())
    return {str(e["X-CALSYNC-INTERVIEW"]) + "/" + str(e["X-CALSYNC-KIND"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")}


@pytest.fixture
def ics(tmp_path):
    path = tmp_path / "cal.ics"
    path.write_bytes(interviews(1, 2, 3, 4))
    return path


def test_pass_publishes_and_second_pass_changes_nothing(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    report = rt.engine.tick(T0)
    assert (report.created, report.interviews, report.feed_written) == (12, 4, True)
    again = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
    assert not again.changed
    assert len(feed_events(config)) == 12


def test_failing_source_deletes_nothing_even_after_restart(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    before = feed_path(config).read_bytes()
    ics.write_text("this is not a calendar")
    report = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
    assert report.failed_sources == ["cal"] and report.deleted == 0
    rt.store.close()
    _, restarted = make(tmp_path, {"path": str(ics)})
    report = restarted.engine.tick(T0 + dt.timedelta(hours=2))
    assert report.deleted == 0 and report.followups == 12
    assert feed_path(config).read_bytes() == before
    health = restarted.store.source_health()
    assert health[0][2] and "not a valid iCalendar" in health[0][2]


def test_source_that_suddenly_returns_nothing_is_kept_unless_forced(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    ics.write_bytes(calendar())
    report = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
    assert report.deleted == 0 and report.failed_sources == ["cal"]
    forced = rt.engine.tick(T0 + dt.timedelta(hours=2), poll_all=True, force=True)
    assert forced.deleted == 12 and feed_events(config) == {}


def test_safety_valve_refuses_mass_removal(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    ics.write_bytes(interviews(1))  # 3 of 4 interviews vanish at once
    report = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
    assert report.refused and report.deleted == 0 and len(feed_events(config)) == 12
    assert "would remove 9 of 12" in rt.store.get_meta("refused:feed")
    forced = rt.engine.tick(T0 + dt.timedelta(hours=2), poll_all=True, force=True)
    assert forced.deleted == 9 and len(feed_events(config)) == 3


def test_cancel_and_reschedule(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    cancelled = vevent("i2", "20261202T100000", "20261202T110000", extra="STATUS:CANCELLED")
    moved = vevent("i3", "20261203T140000", "20261203T150000")
    ics.write_bytes(calendar(vevent("i1", "20261201T100000", "20261201T110000"), cancelled, moved,
                             vevent("i4", "20261204T100000", "20261204T110000")))
    report = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
    events = feed_events(config)
    assert not any(k.startswith("i2/") for k in events)
    assert events["i3/thank_you"] == 1 and report.deleted == 3


def test_marked_outcome_and_done_flow_into_the_feed(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    from calsync.core.model import OutcomeKind

    rt.store.mark("i1", OutcomeKind.REJECTED, dt.datetime(2026, 12, 2, 9, tzinfo=LA), T0)
    thank_you = next(i for i in rt.store.plan_items() if i.interview == "i2" and i.kind == "thank_you")
    rt.store.mark_done(thank_you.fid, T0)
    rt.engine.tick(T0 + dt.timedelta(minutes=5))
    events = feed_events(config)
    assert "i1/feedback_request" in events and "i1/check_in" not in events
    cal = icalendar.Calendar.from_ical(feed_path(config).read_bytes())
    done = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(thank_you.fid)]
    assert str(done[0]["SUMMARY"]).startswith("✓")


def test_first_seen_is_remembered_so_nothing_goes_missing_later(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    report = rt.engine.tick(dt.datetime(2026, 12, 20, tzinfo=LA), poll_all=True)
    assert report.missed == 0 and report.deleted == 0  # past follow-ups stay: they were planned in time


def test_url_source_uses_conditional_get(tmp_path):
    with calendar_server() as (server, base):
        server.serve("/cal.ics", interviews(1, 2), headers={"Content-Type": "text/calendar", "ETag": '"v1"'})
        config, rt = make(tmp_path, {"url": base + "/cal.ics"})
        rt.engine.tick(T0)
        report = rt.engine.tick(T0 + dt.timedelta(hours=1), poll_all=True)
        assert server.requests[-1][1].get("If-None-Match") == '"v1"'
        assert report.followups == 6 and not report.changed
        rt.store.close()
        _, restarted = make(tmp_path, {"url": base + "/cal.ics"})  # after a restart: 304 uses the stored snapshot
        report = restarted.engine.tick(T0 + dt.timedelta(hours=2))
        assert report.followups == 6 and report.deleted == 0
        assert server.requests[-1][1].get("If-None-Match") == '"v1"'


def test_failing_source_backs_off(tmp_path):
    config, rt = make(tmp_path, {"path": str(tmp_path / "missing.ics"), "interval": "1h"})
    rt.engine.tick(T0)
    assert rt.engine.next_wake(T0) == 30
    rt.engine.tick(T0 + dt.timedelta(seconds=30))
    assert rt.engine.next_wake(T0 + dt.timedelta(seconds=30)) == 60




def test_unchanged_file_is_not_parsed_again_and_a_restart_parses_once(tmp_path, ics, monkeypatch):
    import calsync.ics.source as source_module

    calls = []
    real = source_module.parse_calendar
    monkeypatch.setattr(source_module, "parse_calendar", lambda *a, **k: calls.append(1) or real(*a, **k))
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    for hours in (1, 2, 3):
        assert not rt.engine.tick(T0 + dt.timedelta(hours=hours), poll_all=True).changed
    assert len(calls) == 1
    ics.write_bytes(interviews(1, 2, 3, 4, 5))
    assert rt.engine.tick(T0 + dt.timedelta(hours=4), poll_all=True).created == 3
    assert len(calls) == 2
    rt.store.close()
    _, restarted = make(tmp_path, {"path": str(ics)})
    report = restarted.engine.tick(T0 + dt.timedelta(hours=5))
    assert report.followups == 15 and not report.changed
    assert len(calls) == 2  # the events parsed before the restart are reused; nothing restored from the stored body


def test_stored_snapshot_is_restored_when_the_source_fails_after_a_restart(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    rt.store.close()
    ics.unlink()
    _, restarted = make(tmp_path, {"path": str(ics)})
    report = restarted.engine.tick(T0 + dt.timedelta(hours=1))
    assert report.failed_sources == ["cal"] and report.followups == 12 and report.deleted == 0


def test_empty_calendar_after_a_restart_is_compared_with_the_stored_snapshot(tmp_path, ics):
    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    rt.store.close()
    ics.write_bytes(calendar())
    _, restarted = make(tmp_path, {"path": str(ics)})
    report = restarted.engine.tick(T0 + dt.timedelta(hours=1))
    assert report.failed_sources == ["cal"] and report.deleted == 0 and len(feed_events(config)) == 12


def test_an_outcome_marked_by_another_process_is_planned_on_the_next_idle_pass(tmp_path, ics):
    from calsync.core.model import OutcomeKind
    from calsync.state import StateStore, state_path

    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    assert not rt.engine.tick(T0 + dt.timedelta(minutes=1)).changed  # idle: nothing to plan
    with StateStore(state_path(config.state_dir), config.plan.zone) as cli:  # what `calsync mark` does
        cli.mark("i1", OutcomeKind.REJECTED, dt.datetime(2026, 12, 2, 9, tzinfo=LA), T0)
    report = rt.engine.tick(T0 + dt.timedelta(minutes=2))
    assert report.changed and "i1/feedback_request" in feed_events(config)


def test_after_a_restart_an_unchanged_pass_rewrites_a_missing_feed_and_sees_new_marks(tmp_path, ics):
    from calsync.core.model import OutcomeKind

    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    before = feed_path(config).read_bytes()
    rt.store.close()
    feed_path(config).unlink()
    _, again = make(tmp_path, {"path": str(ics)})
    report = again.engine.tick(T0 + dt.timedelta(minutes=1))
    assert (report.followups, report.interviews) == (12, 4) and feed_path(config).read_bytes() == before
    again.store.mark("i1", OutcomeKind.REJECTED, dt.datetime(2026, 12, 2, 9, tzinfo=LA), T0)
    again.store.close()
    _, third = make(tmp_path, {"path": str(ics)})
    third.engine.tick(T0 + dt.timedelta(minutes=2))
    assert "i1/feedback_request" in feed_events(config) and "i1/check_in" not in feed_events(config)


def test_parsed_events_are_reused_by_another_process_whatever_its_hash_seed(tmp_path, ics):
    import subprocess
    import sys

    config, rt = make(tmp_path, {"path": str(ics)})
    rt.engine.tick(T0)
    rt.store.close()
    probe = f"""
import datetime as dt, sys
from zoneinfo import ZoneInfo
import calsync.ics.source as source
from calsync.config import build_config
from calsync.runtime import open_runtime
calls = []
real = source.parse_calendar
source.parse_calendar = lambda *a, **k: calls.append(1) or real(*a, **k)
config = build_config({{"timezone": "America/Los_Angeles", "state_dir": {str(tmp_path / 'state')!r},
                        "sources": [{{"name": "cal", "path": {str(ics)!r}}}]}})
report = open_runtime(config).engine.tick(dt.datetime(2026, 11, 25, 12, 5, tzinfo=ZoneInfo("America/Los_Angeles")))
print(len(calls), report.followups)
"""
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        assert done.stdout.split() == [b"0", b"12"]
