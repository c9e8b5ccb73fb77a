"""The feed's VTIMEZONE against the zone database: every onset exact, one value per property."""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calsync.ics.vtimezone import vtimezone

UTC = dt.timezone.utc
ZONES = ["Europe/Berlin", "America/Los_Angeles", "Australia/Sydney", "Australia/Lord_Howe", "America/St_Johns",
         "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "UTC"]


@pytest.mark.parametrize("zone", ZONES)
def test_each_onset_is_the_zone_databases_transition(zone):
    data = vtimezone(zone, 2025, 2028)
    assert b"RDATE" not in data and b"RRULE" not in data
    component = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + data + b"END:VCALENDAR\r\n").walk("VTIMEZONE")[0]
    tz = ZoneInfo(zone)
    observances = component.subcomponents
    first = observances[0]
    assert first["DTSTART"].dt == dt.datetime(2025, 1, 1)
    assert first["TZOFFSETTO"].td == dt.datetime(2025, 1, 1, tzinfo=tz).utcoffset()
    changes = 0
    for observance in observances[1:]:
        before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        onset = (observance["DTSTART"].dt - before).replace(tzinfo=UTC)  # DTSTART is local time before the change
        assert (onset - dt.timedelta(seconds=1)).astimezone(tz).utcoffset() == before
        assert onset.astimezone(tz).utcoffset() == after
        assert str(observance["TZNAME"]) == onset.astimezone(tz).tzname()
        assert observance.name == ("DAYLIGHT" if onset.astimezone(tz).dst() else "STANDARD")
        changes += 1
    expected = sum(1 for hour in range(0, 4 * 366 * 24, 1)
                   if (dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(hours=hour)).astimezone(tz).utcoffset()
                   != (dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(hours=hour + 1)).astimezone(tz).utcoffset()
                   and dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(hours=hour + 1) < dt.datetime(2029, 1, 1, tzinfo=tz))
    assert changes == expected


def test_the_same_years_give_the_same_bytes():
    assert vtimezone("Europe/Berlin", 2026, 2028) == vtimezone.__wrapped__("Europe/Berlin", 2026, 2028)
