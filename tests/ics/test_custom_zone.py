"""A calendar's own VTIMEZONE is read from that calendar, not from whatever an earlier one in the process defined."""
import datetime as dt
from zoneinfo import ZoneInfo

from calsync.ics.parse import parse_calendar

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)


def calendar(offset: str, uid: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Office Time\r\n"
        f"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=Office Time:20261124T100000\r\nDTEND;TZID=Office Time:20261124T110000\r\n"
        "SUMMARY:Interview with Acme\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def start_utc(data: bytes) -> dt.datetime:
    parsed = parse_calendar(data, "test.ics", ZoneInfo("UTC"), NOW)
    (event,) = parsed.events
    return event.start.astimezone(UTC)


def test_two_calendars_with_the_same_tzid_each_use_their_own_definition():
    assert start_utc(calendar("+0100", "a@test")) == dt.datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert start_utc(calendar("-0500", "b@test")) == dt.datetime(2026, 11, 24, 15, tzinfo=UTC)


def test_an_edited_definition_is_read_again_on_the_next_parse():
    assert start_utc(calendar("+0300", "c@test")) == dt.datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert start_utc(calendar("+0000", "c@test")) == dt.datetime(2026, 11, 24, 10, tzinfo=UTC)
