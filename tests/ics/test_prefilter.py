"""The prefilter: a plan from the filtered calendar equals the plan from the whole one."""
import datetime as dt
import os
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calsync.config import build_config
from calsync.core.detect import Seen
from calsync.ics.parse import parse_calendar
from calsync.ics.prefilter import EventFilter, scan_calendar, select
from calsync.planner import build_plan
from tests.conftest import calendar, vevent

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 20, 9, tzinfo=LA)
EXAMPLES = int(os.environ.get("CALSYNC_PREFILTER_EXAMPLES", "40"))
CUSTOM_ZONE = """BEGIN:VTIMEZONE
TZID:Custom Zone
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0300
TZOFFSETTO:+0300
END:STANDARD
END:VTIMEZONE"""

words = st.sampled_from(["Team lunch", "1:1", "#interview", "#Interview", "#INTERVIEW-prep", "#applied", "Zoom", "#interviewer",
                         "Outcome: rejected 2026-12-09", "Decision by: December 11", "Company: Acme", "interview", "k\u212a"])
text = st.lists(words, max_size=3).map(" ".join)


@st.composite
def events(draw, index: int) -> str:
    day = draw(st.integers(1, 28))
    hour = draw(st.integers(8, 17))
    month = draw(st.sampled_from(["11", "12"]))
    start = f"2026{month}{day:02d}T{hour:02d}0000"
    end = f"2026{month}{day:02d}T{hour:02d}4500"
    extras = []
    if draw(st.booleans()):
        extras.append(f"CATEGORIES:{draw(st.sampled_from(['Work', 'Interview', 'Work,INTERVIEW', 'Personal']))}")
    if draw(st.integers(0, 4)) == 0:
        extras.append(f"RRULE:FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY']))};COUNT={draw(st.integers(1, 6))}")
    if draw(st.integers(0, 6)) == 0:
        extras.append("BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nDESCRIPTION:#interview reminder\nEND:VALARM")
    uid = draw(st.sampled_from([f"e{index}", "shared", "other"]))
    tz = draw(st.sampled_from(["America/Los_Angeles", "Custom Zone", None]))
    body = vevent(uid, start, end, summary=draw(text) or "Meeting", description=draw(text), tz=tz, extra="\n".join(extras))
    if draw(st.integers(0, 8)) == 0:
        body = body.replace(f"UID:{uid}\n", "")  # no UID: grouped by summary and start
    if draw(st.integers(0, 5)) == 0:  # an override of a series member sharing the UID
        body += "\n" + vevent(uid, start.replace("0000", "3000"), summary=draw(text) or "Moved", tz=tz,
                              extra=f"RECURRENCE-ID;TZID=America/Los_Angeles:{start}" if tz else f"RECURRENCE-ID:{start}")
    return body


@st.composite
def calendars(draw) -> bytes:
    count = draw(st.integers(0, 12))
    body = [draw(events(i)) for i in range(count)]
    if draw(st.booleans()):
        body.insert(0, CUSTOM_ZONE)
    header = draw(st.sampled_from(["", "X-WR-TIMEZONE:Europe/Berlin"]))
    return calendar(*body, header=header)


def plan(data: bytes, config: dict, keep: EventFilter | None):
    settings = build_config({"timezone": "America/Los_Angeles", **config}).plan
    parsed = parse_calendar(data, "p.ics", LA, NOW, keep=keep)
    result = build_plan(parsed.events, settings, Seen(NOW, {}, {}))
    return result.plan, sorted(i.uid for i in result.interviews)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), st.sampled_from([{}, {"match": {"summary_regex": "^Zoom"}}, {"match": {"tags": ["zoom"], "categories": ["personal"]}}]),
       st.sampled_from([frozenset(), frozenset({"lunch"}), frozenset({"gespräch"})]))
def test_plan_from_the_filtered_calendar_is_the_plan_from_the_whole(data, config, cues):
    match = build_config({"timezone": "America/Los_Angeles", **config}).plan.match
    assert plan(data, config, EventFilter(match, cues)) == plan(data, config, None)


def test_only_events_that_can_match_reach_the_parser():
    data = calendar(CUSTOM_ZONE, vevent("meet", "20261201T100000", summary="Standup", tz="Custom Zone"),
                    vevent("iv", "20261202T100000", summary="Acme #interview"),
                    vevent("iv", "20261209T100000", summary="moved", extra="RECURRENCE-ID;TZID=America/Los_Angeles:20261202T100000"))
    raw = scan_calendar(data, "x.ics")
    kept, zones = select(raw, EventFilter(build_config({}).plan.match))
    assert [c.uid for c in kept] == ["iv", "iv"] and zones == []
    kept, zones = select(raw, EventFilter(build_config({}).plan.match, frozenset({"standup"})))
    assert [c.uid for c in kept] == ["meet", "iv", "iv"] and [z.tzids for z in zones] == [{"Custom Zone"}]
