"""Exports in the encodings and line ends other tools write: UTF-16 with its byte-order mark, UTF-8 with one, bare CR."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calsync.errors import SourceError
from calsync.ics.parse import parse_calendar

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
LINES = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:enc@test", "DTSTAMP:20261101T000000Z",
         "DTSTART:20261124T100000Z", "DTEND:20261124T110000Z", "SUMMARY:Interview with Zürich Café #interview",
         "DESCRIPTION:Contact: Zoë <zoe@example.com>", "END:VEVENT", "END:VCALENDAR"]


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-16"), id="utf-16-bom-le"),
    pytest.param(lambda text: b"\xfe\xff" + text.replace("\n", "\r\n").encode("utf-16-be"), id="utf-16-bom-be"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), id="utf-8-bom"),
    pytest.param(lambda text: text.replace("\n", "\r").encode(), id="bare-cr"),
    pytest.param(lambda text: text.encode(), id="bare-lf"),
])
def test_the_event_reads_the_same_whatever_the_encoding(encode):
    parsed = parse_calendar(encode("\n".join(LINES) + "\n"), "export.ics", ZoneInfo("UTC"), NOW)
    (event,) = parsed.events
    assert event.summary == "Interview with Zürich Café #interview"
    assert event.start == dt.datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert "Zoë" in event.description


def test_utf16_without_a_byte_order_mark_is_still_refused_with_one_line():
    with pytest.raises(SourceError, match="no BEGIN:VCALENDAR"):
        parse_calendar("\r\n".join(LINES).encode("utf-16-le"), "export.ics", ZoneInfo("UTC"), NOW)
