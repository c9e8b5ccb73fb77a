"""Acceptance rows found by running `calsync plan` against the spec: the edges of the table."""
import pytest

from tests.core.test_rules import plan_one

# A stated timeline D that is the interview's day I itself (or just before it) still counts:
# the check-in is next_business_day(D), never the no-timeline default.
CHECK_IN_ON_THE_EDGE = [
    # id, start (I), description, expected check-in
    ("end of week on a friday", "20261204T100000", "We'll get back to you by end of week", "2026-12-07T10:00:00-08:00"),
    ("this week on a friday", "20261204T100000", "We'll let you know this week", "2026-12-07T10:00:00-08:00"),
    ("end of month on its last day", "20261130T100000", "Decision by end of month", "2026-12-01T10:00:00-08:00"),
    ("end of week on a saturday", "20261205T100000", "We'll get back to you by end of week", "2026-12-07T10:00:00-08:00"),
    ("the interview's own date is no timeline", "20261201T100000", "We'll be in touch after the December 1 chat", "2026-12-08T10:00:00-08:00"),
]


@pytest.mark.parametrize("name, start, description, want", CHECK_IN_ON_THE_EDGE, ids=[c[0] for c in CHECK_IN_ON_THE_EDGE])
def test_relative_timeline_ending_on_the_interview_day(name, start, description, want):
    got, _ = plan_one(start, start[:9] + "110000", description=description)
    assert got["check_in"][0] == want


# Two weekdays joined by "or"/"and" after one phrase: the later one counts (spec: the latest date).
CHAINED_WEEKDAYS = [
    ("wednesday or thursday", "We will reach out by Wednesday or Thursday", "2026-12-04T10:00:00-08:00"),
    ("abbreviated", "We'll let you know on Wed or Thu.", "2026-12-04T10:00:00-08:00"),
    ("a word, not a day", "We'll decide by Monday and sat down with the team", "2026-12-08T10:00:00-08:00"),
]


@pytest.mark.parametrize("name, description, want", CHAINED_WEEKDAYS, ids=[c[0] for c in CHAINED_WEEKDAYS])
def test_chained_weekdays_count_by_the_later(name, description, want):
    got, _ = plan_one("20261201T100000", "20261201T110000", description=description)
    assert got["check_in"][0] == want
