import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calsync.errors import SourceError
from calsync.ics.parse import IcsLimits, parse_calendar
from tests.conftest import calendar, vevent

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 20, tzinfo=LA)


def parse(data, limits=IcsLimits()):
    return parse_calendar(data, "cal.ics", LA, NOW, limits)


def test_outlook_zone_names_resolve():
    parsed = parse(calendar(vevent("a", "20261201T100000", "20261201T110000", tz="Pacific Standard Time"),
                            vevent("b", "20261201T100000", "20261201T110000", tz="W. Europe Standard Time")))
    a, b = parsed.events
    assert a.start.utcoffset() == dt.timedelta(hours=-8)
    assert b.start.astimezone(dt.timezone.utc).hour == 9


def test_zone_defined_by_vtimezone_in_the_file():
    vtz = """BEGIN:VTIMEZONE
TZID:Custom Zone
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0300
TZOFFSETTO:+0300
END:STANDARD
END:VTIMEZONE"""
    parsed = parse(calendar(vtz, vevent("a", "20261201T100000", "20261201T110000", tz="Custom Zone")))
    assert parsed.events[0].start.astimezone(dt.timezone.utc).hour == 7


def test_unknown_tzid_is_reported_not_floating():
    parsed = parse(calendar(vevent("bad", "20261201T100000", "20261201T110000", tz="Mars/Olympus"),
                            vevent("good", "20261201T100000", "20261201T110000")))
    assert [e.uid for e in parsed.events] == ["good"]
    assert len(parsed.warnings) == 1 and "'bad'" in parsed.warnings[0] and "Mars/Olympus" in parsed.warnings[0]


def test_x_wr_timezone_applies_to_floating_times():
    parsed = parse(calendar(vevent("a", "20261201T100000", "20261201T110000", tz=None), header="X-WR-TIMEZONE:Europe/Berlin"))
    assert parsed.events[0].start.astimezone(dt.timezone.utc).hour == 9


def test_floating_time_without_x_wr_timezone_is_the_users_zone():
    parsed = parse(calendar(vevent("a", "20261201T100000", "20261201T110000", tz=None)))
    assert parsed.events[0].start == dt.datetime(2026, 12, 1, 10, tzinfo=LA)


def test_all_day_and_missing_dtend():
    parsed = parse(calendar(vevent("day", "20261201"), vevent("timed", "20261201T100000")))
    day, timed = parsed.events
    assert day.all_day and day.end - day.start == dt.timedelta(days=1)
    assert timed.end - timed.start == dt.timedelta(hours=1)


def test_broken_event_is_skipped_with_a_warning_naming_it():
    broken = "BEGIN:VEVENT\nUID:broken-1\nDTSTART:2026120\nSUMMARY:Acme #interview\nEND:VEVENT"
    parsed = parse(calendar(broken, vevent("ok", "20261201T100000", "20261201T110000")))
    assert [e.uid for e in parsed.events] == ["ok"]
    assert "broken-1" in parsed.warnings[0] and "Acme" in parsed.warnings[0]


def test_event_without_dtstart_is_skipped():
    parsed = parse(calendar("BEGIN:VEVENT\nUID:nostart\nSUMMARY:x\nEND:VEVENT"))
    assert parsed.events == [] and "DTSTART" in parsed.warnings[0]


@pytest.mark.parametrize("data", [b"", b"garbage", b"BEGIN:VCARD\r\nEND:VCARD\r\n", b"\xff\xfe\x00garbage"])
def test_malformed_file_is_one_clear_error(data):
    with pytest.raises(SourceError, match="cal.ics: not a valid iCalendar file"):
        parse(data)


def test_recurrence_limits():
    minutely = vevent("m", "20261201T100000", "20261201T101000", extra="RRULE:FREQ=MINUTELY")
    zero = vevent("z", "20261201T100000", "20261201T101000", extra="RRULE:FREQ=DAILY;INTERVAL=0")
    daily = vevent("d", "20261201T100000", "20261201T101000", extra="RRULE:FREQ=DAILY")
    parsed = parse(calendar(minutely, zero, daily), IcsLimits(max_occurrences=20))
    assert {e.uid.split("@")[0] for e in parsed.events} == {"d"}
    assert len(parsed.events) == 20
    assert len(parsed.warnings) == 3 and "'d'" in parsed.warnings[2] and "more than 20 occurrences" in parsed.warnings[2]


def test_recurrence_window_is_bounded():
    daily = vevent("d", "20200101T100000", "20200101T101000", extra="RRULE:FREQ=DAILY")
    parsed = parse(calendar(daily), IcsLimits(window_past_days=1, window_future_days=3, max_occurrences=10_000))
    starts = [e.start.date() for e in parsed.events]
    assert min(starts) >= dt.date(2026, 11, 19) and max(starts) <= dt.date(2026, 11, 23)


def test_size_and_component_limits():
    data = calendar(*(vevent(f"e{i}", "20261201T100000") for i in range(5)))
    with pytest.raises(SourceError, match="over the limit"):
        parse(data, IcsLimits(max_components=3))
    with pytest.raises(SourceError, match="limit"):
        parse(data, IcsLimits(max_bytes=100))


def test_attendees_organizer_and_categories():
    extra = "ORGANIZER;CN=Jane Doe:mailto:jane@acme.example\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com\nCATEGORIES:Work,Interview\nSTATUS:CANCELLED"
    event = parse(calendar(vevent("a", "20261201T100000", extra=extra))).events[0]
    assert event.organizer.email == "jane@acme.example" and event.organizer.name == "Jane Doe"
    assert event.attendees[0].partstat == "DECLINED"
    assert event.categories == ("Work", "Interview")
    assert event.cancelled


# -- hostile calendars: each runs in a subprocess with a generous timeout and a memory cap

_HOSTILE_RUNNER = r"""
import datetime as dt, json, resource, sys
from zoneinfo import ZoneInfo
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from calsync.core.settings import MatchSettings
from calsync.ics.parse import parse_calendar
from calsync.ics.prefilter import EventFilter
keep = EventFilter(MatchSettings()) if sys.argv[1] == "filtered" else None
zone = ZoneInfo("America/Los_Angeles")
parsed = parse_calendar(sys.stdin.buffer.read(), "cal.ics", zone, dt.datetime(2026, 11, 20, tzinfo=zone), keep=keep)
print(json.dumps({"uids": sorted({e.uid.split("@")[0] for e in parsed.events}), "count": len(parsed.events), "warnings": parsed.warnings}))
"""

_ALL_BY = "BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=" + ",".join(map(str, range(60))) + ";BYSECOND=" + ",".join(map(str, range(60)))
_HOURLY_ZONE = """BEGIN:VTIMEZONE
TZID:Hostile
BEGIN:STANDARD
DTSTART:00010101T000000
RRULE:FREQ=HOURLY
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:STANDARD
END:VTIMEZONE"""
OK = vevent("ok", "20261201T100000", "20261201T110000")


def run_hostile(data: bytes, mode: str = "filtered") -> dict:
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _HOSTILE_RUNNER, mode], input=data, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("name, event, expect_events", [
    ("daily-by-everything", vevent("x", "20261201T100000", extra=f"RRULE:FREQ=DAILY;{_ALL_BY}"), False),
    ("yearly-by-everything", vevent("x", "20261201T100000", extra=f"RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;{_ALL_BY}"), False),
    ("daily-since-year-1", vevent("x", "00010101T100000Z", extra="RRULE:FREQ=DAILY"), True),
    ("daily-since-1000", vevent("x", "10000101T120000", "10000101T130000", extra="RRULE:FREQ=DAILY"), True),
    ("all-day-daily-since-2006", vevent("x", "20060101", "20060102", extra="RRULE:FREQ=DAILY"), True),
    ("count-from-year-1", vevent("x", "00010101T100000Z", extra="RRULE:FREQ=DAILY;COUNT=100000000"), True),
    ("never-matching-filter", vevent("x", "20200101T100000", extra="RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), False),
    ("hourly-never-matching", vevent("x", "20200101T100000", extra="RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31"), False),
    ("hourly-vtimezone-from-year-1", _HOURLY_ZONE + "\n" + vevent("x", "20261201T100000", tz="Hostile"), False),
])
@pytest.mark.parametrize("mode", ["filtered", "everything"])
def test_hostile_recurrence_is_bounded_and_never_fails_the_calendar(name, event, expect_events, mode):
    result = run_hostile(calendar(event, OK), mode)
    assert "ok" in result["uids"]
    assert ("x" in result["uids"]) == expect_events
    if not expect_events and "never-matching" not in name:
        assert any("'x'" in w or "Hostile" in w for w in result["warnings"]), result["warnings"]
    assert result["count"] <= 1 + IcsLimits().max_occurrences


def test_untagged_daily_series_since_1000_is_never_parsed_with_the_filter():
    lunch = vevent("lunch", "10000101T120000", "10000101T130000", summary="Team lunch", extra="RRULE:FREQ=DAILY")
    assert run_hostile(calendar(lunch, OK))["uids"] == ["ok"]


@pytest.mark.parametrize("start, end", [("99991231", None), ("99991231T230000Z", None), ("00010101T000000Z", "00010101T010000Z")])
def test_dates_at_the_ends_of_time_skip_the_event_with_one_warning(start, end):
    parsed = parse(calendar(vevent("edge", start, end, tz=None), OK))
    assert [e.uid for e in parsed.events] == ["ok"]
    assert len(parsed.warnings) == 1 and "'edge'" in parsed.warnings[0] and "outside the years" in parsed.warnings[0]


def test_unreadable_event_is_skipped_with_a_clean_message_and_the_rest_survives():
    junk = "BEGIN:VEVENT\nUID:junk-1\nSUMMARY:Acme #interview\nBEGIN:\nDTSTART:20261201T100000Z\nEND:VEVENT"
    parsed = parse(calendar(junk, OK))
    assert [e.uid for e in parsed.events] == ["ok"]
    assert len(parsed.warnings) == 1 and "junk-1" in parsed.warnings[0] and "Acme" in parsed.warnings[0]
    bad_rdate = vevent("rd", "20261201T100000", extra="RRULE:FREQ=WEEKLY;COUNT=2\nRDATE:notadate")
    parsed = parse(calendar(bad_rdate, OK))
    assert "ok" in {e.uid for e in parsed.events}
    assert all("object has no attribute" not in w for w in parsed.warnings), parsed.warnings


def test_oversized_event_is_skipped_by_its_name():
    big = vevent("big", "20261201T100000", description="x" * 5000)
    parsed = parse(calendar(big, OK), IcsLimits(max_event_bytes=2000))
    assert [e.uid for e in parsed.events] == ["ok"]
    assert "'big'" in parsed.warnings[0] and "per event" in parsed.warnings[0]


def test_components_are_counted_before_parsing():
    data = calendar(*(vevent(f"e{i}", "20261201T100000", summary="Lunch") for i in range(10)))
    with pytest.raises(SourceError, match="10 components, over the limit of 5"):
        parse(data, IcsLimits(max_components=5))


def test_truncated_download_is_an_error_not_an_empty_calendar():
    data = calendar(OK)
    with pytest.raises(SourceError, match="truncated"):
        parse(data[: data.index(b"END:VCALENDAR")])


def test_library_warnings_go_to_the_debug_log(caplog):
    import logging
    import warnings

    guessed = vevent("g", "20261201T100000", "20261201T110000", tz="/example.com/Europe/Berlin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping parse_calendar fails the test
        with caplog.at_level(logging.DEBUG, logger="calsync"):
            parsed = parse(calendar(guessed))
    assert [e.uid for e in parsed.events] == ["g"] and not parsed.warnings
    assert any("GloballyUniqueTZIDGuessed" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)


def test_outlook_style_custom_zone_with_yearly_rules_from_1601_is_used():
    vtz = """BEGIN:VTIMEZONE
TZID:My Berlin
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE"""
    parsed = parse(calendar(vtz, vevent("a", "20260701T100000", "20260701T110000", tz="My Berlin")))
    assert not parsed.warnings
    assert parsed.events[0].start.astimezone(dt.timezone.utc).hour == 8


@pytest.mark.parametrize("extra, words", [
    ("DTSTART:20261202T100000Z", "2 DTSTART lines"),
    ("DTEND:notatime", "DTEND is not a valid date or time"),
])
def test_skip_messages_name_the_event_in_plain_words(extra, words):
    parsed = parse(calendar(vevent("odd", "20261201T100000Z", tz=None, summary="Acme #interview", extra=extra), OK))
    assert [e.uid for e in parsed.events] == ["ok"]
    (warning,) = parsed.warnings
    assert "'odd'" in warning and "Acme" in warning and words in warning
    assert "object has no attribute" not in warning and "Traceback" not in warning
