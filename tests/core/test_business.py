import datetime as dt

import pytest

from calsync.core.business import BusinessCalendar
from calsync.config.holidays import holiday_source

D = dt.date


def cal(region: str = "US", backend: str = "holidays", **extra: frozenset[dt.date]) -> BusinessCalendar:
    return BusinessCalendar(holiday_source(backend, region), **extra)


@pytest.mark.parametrize(
    "region, day, expected",
    [
        ("US", D(2026, 11, 26), False),  # Thanksgiving
        ("US", D(2026, 11, 27), True),  # the Friday after is a working day federally
        ("US", D(2026, 12, 25), False),  # Christmas
        ("US", D(2026, 6, 19), False),  # Juneteenth
        ("US", D(2026, 7, 3), False),  # Independence Day observed (July 4 is a Saturday)
        ("US", D(2026, 11, 28), False),  # Saturday
        ("GB", D(2021, 12, 27), False),  # UK substitute day for Christmas on a Saturday
        ("GB", D(2021, 12, 28), False),  # UK substitute day for Boxing Day
        ("GB", D(2026, 11, 26), True),  # no Thanksgiving in the UK
        ("DE", D(2026, 10, 3), False),  # German Unity Day (a Saturday anyway)
        ("DE", D(2025, 10, 3), False),  # German Unity Day on a Friday
        ("US-CA", D(2026, 3, 31), False),  # Cesar Chavez Day, California only
        ("US", D(2026, 3, 31), True),
    ],
)
def test_business_days(region: str, day: dt.date, expected: bool) -> None:
    assert cal(region).is_business_day(day) is expected


def test_next_business_day_skips_thanksgiving_weekend() -> None:
    assert cal().next_business_day(D(2026, 11, 25)) == D(2026, 11, 27)
    assert cal().add_business_days(D(2026, 11, 25), 2) == D(2026, 11, 30)


def test_next_business_day_is_strictly_after() -> None:
    assert cal().next_business_day(D(2026, 12, 1)) == D(2026, 12, 2)


def test_add_business_days_across_christmas_and_new_year() -> None:
    assert cal().add_business_days(D(2026, 12, 23), 3) == D(2026, 12, 29)
    assert cal().add_business_days(D(2026, 12, 30), 2) == D(2027, 1, 4)


def test_extra_holidays_and_working_days() -> None:
    c = cal(extra_holidays=frozenset({D(2026, 12, 24)}), extra_working_days=frozenset({D(2026, 12, 26)}))
    assert not c.is_business_day(D(2026, 12, 24))
    assert c.is_business_day(D(2026, 12, 26))  # a Saturday made a working day
    assert c.next_business_day(D(2026, 12, 23)) == D(2026, 12, 26)


def test_add_business_days_rejects_zero() -> None:
    with pytest.raises(ValueError):
        cal().add_business_days(D(2026, 12, 1), 0)


def test_workalendar_leaves_out_juneteenth_holidays_does_not() -> None:
    assert not cal("US", "workalendar").is_business_day(D(2022, 7, 4))
    assert cal("US", "workalendar").is_business_day(D(2022, 6, 20))
    assert not cal("US", "holidays").is_business_day(D(2022, 6, 20))


# Dates where the two data sets really differ; everything else must agree exactly.
# - Juneteenth (observed 2021-06-18, 2022-06-20): workalendar's US data predates it.
# - Susan B. Anthony Day (Feb 15, CA and NY): python-holidays lists it, workalendar does not.
_JUNETEENTH = {D(2021, 6, 18), D(2022, 6, 20)}
_SUSAN_B_ANTHONY = {D(2017, 2, 15), D(2018, 2, 15), D(2019, 2, 15), D(2022, 2, 15)}
KNOWN_DATA_DIFFERENCES = {
    "US": _JUNETEENTH,
    "US-CA": _JUNETEENTH | _SUSAN_B_ANTHONY,
    "GB": set(),
    "DE": set(),
    "FR": set(),
}


@pytest.mark.parametrize("region", sorted(KNOWN_DATA_DIFFERENCES))
def test_backends_agree_where_their_data_agrees(region: str) -> None:
    a, b = cal(region, "holidays"), cal(region, "workalendar")
    differ = set()
    day = D(2015, 1, 1)
    while day <= D(2022, 12, 31):
        if a.is_business_day(day) != b.is_business_day(day):
            differ.add(day)
        day += dt.timedelta(days=1)
    assert differ == KNOWN_DATA_DIFFERENCES[region], sorted(differ)
