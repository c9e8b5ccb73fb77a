"""The same event (same UID) in several sources is one interview; the first source counts."""
import datetime as dt
import json

from calsync.cli.main import main
from calsync.core.detect import Seen
from calsync.core.model import SourceEvent
from calsync.core.settings import PlanSettings
from calsync.planner import build_plan
from tests.conftest import LA, calendar, vevent


def event(uid, source, summary="Onsite #interview", description=""):
    start = dt.datetime(2026, 12, 1, 10, tzinfo=LA)
    return SourceEvent(uid=uid, summary=summary, description=description, start=start,
                       end=start + dt.timedelta(hours=1), source=source)


def test_first_source_counts_and_a_warning_names_the_others(early):
    events = [event("inv-1", "work", description="We'll be in touch by Friday"),
              event("other", "work", summary="Standup"),
              event("inv-1", "personal"), event("inv-1", "shared"), event("inv-1", "personal")]
    result = build_plan(events, PlanSettings(zone=LA), Seen(early, {}, {}))
    assert [(i.uid, i.source) for i in result.interviews] == [("inv-1", "work")]
    assert {f.source for f in result.plan.followups} == {"work"}
    check_in = next(f for f in result.plan.followups if f.kind.value == "check_in")
    assert check_in.start.date() == dt.date(2026, 12, 7)  # the first source's text was read
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "inv-1" in warning and "from work" in warning and "personal, shared" in warning


def test_order_of_sources_decides(early):
    events = [event("inv-1", "personal"), event("inv-1", "work", description="We'll be in touch by Friday")]
    result = build_plan(events, PlanSettings(zone=LA), Seen(early, {}, {}))
    assert [(i.uid, i.source) for i in result.interviews] == [("inv-1", "personal")]
    assert "from personal" in result.warnings[0]


def test_no_warning_for_ordinary_events_in_two_calendars(early):
    events = [event("lunch", "work", summary="Lunch"), event("lunch", "personal", summary="Lunch")]
    result = build_plan(events, PlanSettings(zone=LA), Seen(early, {}, {}))
    assert result.interviews == () and result.warnings == ()


def test_calsync_plan_with_two_sources_plans_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    invite = vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite - Acme #interview")
    (tmp_path / "work.ics").write_bytes(calendar(invite))
    (tmp_path / "personal.ics").write_bytes(calendar(invite))
    code = main(["plan", "--source", str(tmp_path / "work.ics"), "--source", str(tmp_path / "personal.ics"),
                 "--now", "2026-11-25T12:00:00-08:00", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    kinds = [f["kind"] for f in json.loads(out)["followups"]]
    assert kinds == ["thank_you", "check_in", "second_check_in"]
    warning = next(line for line in err.splitlines() if "acme-1" in line)
    assert "from work.ics" in warning and "personal.ics" in warning
