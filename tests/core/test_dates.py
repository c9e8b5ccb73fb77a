import datetime as dt

import pytest

from calsync.core.business import BusinessCalendar
from calsync.core.dates import find_dates, stated_deadline
from calsync.config.holidays import holiday_source

US = BusinessCalendar(holiday_source("holidays", "US"))
TUE = dt.date(2026, 12, 1)
D = dt.date


@pytest.mark.parametrize(
    "text, day, expected",
    [
        ("2026-12-04", TUE, D(2026, 12, 4)),
        ("December 4", TUE, D(2026, 12, 4)),
        ("Dec 4", TUE, D(2026, 12, 4)),
        ("Dec. 4th", TUE, D(2026, 12, 4)),
        ("4 December", TUE, D(2026, 12, 4)),
        ("4th of December", TUE, D(2026, 12, 4)),
        ("December 4, 2027", TUE, D(2027, 12, 4)),
        ("Dec 1", TUE, D(2026, 12, 1)),  # on or after I: the same day counts
        ("Nov 30", TUE, D(2027, 11, 30)),  # otherwise next year
        ("Jan 5", TUE, D(2027, 1, 5)),
        ("Friday", TUE, D(2026, 12, 4)),
        ("Tuesday", TUE, D(2026, 12, 8)),  # strictly after I
        ("fri", TUE, D(2026, 12, 4)),
        ("next Friday", TUE, D(2026, 12, 11)),
        ("end of week", TUE, D(2026, 12, 4)),
        ("end of the week", TUE, D(2026, 12, 4)),
        ("this week", D(2026, 12, 6), D(2026, 12, 4)),  # Sunday: Monday-start week
        ("next week", TUE, D(2026, 12, 11)),
        ("end of next week", TUE, D(2026, 12, 11)),
        ("end of the month", TUE, D(2026, 12, 31)),
        ("end of month", D(2027, 2, 3), D(2027, 2, 28)),
        ("within 10 days", TUE, D(2026, 12, 11)),
        ("within ten days", TUE, D(2026, 12, 11)),
        ("within 3 business days", D(2026, 11, 24), D(2026, 11, 30)),
        ("within three working days", D(2026, 11, 24), D(2026, 11, 30)),
        ("within two weeks", TUE, D(2026, 12, 15)),
        ("in 2 weeks", TUE, D(2026, 12, 15)),
        ("within a week", TUE, D(2026, 12, 8)),
        ("in a couple of weeks", TUE, D(2026, 12, 15)),
        ("tomorrow", TUE, D(2026, 12, 2)),
    ],
)
def test_date_expressions(text, day, expected):
    assert list(find_dates(text, day, US.add_business_days)) == [expected]


@pytest.mark.parametrize("text", ["2026-02-30", "February 30, 2026", "nothing here", "in Building 5"])
def test_not_dates(text):
    assert list(find_dates(text, TUE, US.add_business_days)) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jane: we'll be in touch by Friday", D(2026, 12, 4)),
        ("They will get back to you by end of week.", D(2026, 12, 4)),
        ("You'll hear back within two weeks", D(2026, 12, 15)),
        ("decision by December 4", D(2026, 12, 4)),
        ("Prepare slides by Friday", None),  # no word about hearing back: not a timeline
        ("Room 4, Building 2", None),
        ("Decision by: Friday\nThey'll be in touch within two weeks", D(2026, 12, 4)),
        ("DEADLINE: 2026-12-20", D(2026, 12, 20)),
        ("follow-up after: December 18", D(2026, 12, 18)),
        ("We'll decide by Friday. Interview was on Dec 1.", D(2026, 12, 4)),
        ("Update by Friday or at the latest within two weeks", D(2026, 12, 15)),
    ],
)
def test_stated_deadline(text, expected):
    assert stated_deadline(text, TUE, US.add_business_days) == expected
