"""Regressions found by the second, independent reading of the follow-up rules contract."""
import datetime as dt

import pytest

from calsync.core.timeline import stated_deadline

TUESDAY = dt.date(2026, 12, 1)


def calendar_days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


@pytest.mark.parametrize("text, deadline", [
    ("We will be in touch by Wed, Dec 9", dt.date(2026, 12, 9)),
    ("We will be in touch by Wednesday, December 9.", dt.date(2026, 12, 9)),
    ("We'll let you know by Friday Dec 11", dt.date(2026, 12, 11)),
    ("We'll let you know by Dec 9, Wednesday", dt.date(2026, 12, 9)),
])
def test_a_weekday_and_its_date_are_one_deadline(text, deadline):
    assert stated_deadline(text, TUESDAY, calendar_days) == deadline


def test_punctuation_alone_chains_no_unrelated_date():
    text = "We will be in touch by Friday. Start date, December 20"
    assert stated_deadline(text, TUESDAY, calendar_days) == dt.date(2026, 12, 4)
