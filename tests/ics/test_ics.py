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
    assert len(parsed.warnings) == 2


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
