import datetime as dt

import pytest

from calsync.core.business import BusinessCalendar
from calsync.core.dates import find_dates
from calsync.core.timeline import stated_deadline
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
        # The interview is on Tuesday, December 1, 2026 (TUE).
        ("Jane: we'll be in touch by Friday", D(2026, 12, 4)),
        ("They will get back to you by end of week.", D(2026, 12, 4)),
        ("You'll hear back within two weeks", D(2026, 12, 15)),
        ("decision by December 4", D(2026, 12, 4)),
        ("Prepare slides by Friday", None),  # no word about hearing back: not a timeline
        ("Room 4, Building 2", None),
        ("Decision by: Friday\nThey'll be in touch within two weeks", D(2026, 12, 4)),
        ("DEADLINE: 2026-12-20", D(2026, 12, 20)),
        ("follow-up after: December 18", D(2026, 12, 18)),
        ("  - Hear back by:   Dec 10", D(2026, 12, 10)),
        ("We'll decide by Friday. Interview was on Dec 1.", D(2026, 12, 4)),
        ("You'll get an update by Friday or at the latest within two weeks", D(2026, 12, 15)),
        # issue 11, as observed
        ("The two engineers I sat with said HR will get back to me by Thursday", D(2026, 12, 3)),
        ("If we make you an offer, the start date would be January 11", None),
        ("The recruiter will follow up within two weeks", D(2026, 12, 15)),
        ("You'll hear back in 1-2 weeks", D(2026, 12, 15)),
        # the spec's trigger phrases
        ("We will reach out by December 9 at the latest", D(2026, 12, 9)),
        ("We'll let you know within 3 business days", D(2026, 12, 4)),
        ("Next steps: a decision within a week", D(2026, 12, 8)),
        ("Next steps by end of the month", D(2026, 12, 31)),
        ("We'll be in touch on Thu.", D(2026, 12, 3)),
        ("They'll get back to you until Mon", D(2026, 12, 7)),
        ("Expect to hear back next week", D(2026, 12, 11)),
        ("We should be able to let you know by the end of next week", D(2026, 12, 11)),
        ("We'll follow up on Monday next week", D(2026, 12, 7)),
        ("HR will reach out tomorrow", D(2026, 12, 2)),
        ("We'll get back to you within 48 hours", D(2026, 12, 3)),
        ("We will decide in about ten days", D(2026, 12, 11)),
        ("You'll hear back in a week or two", D(2026, 12, 15)),
        ("You'll hear from us in a couple of weeks", D(2026, 12, 15)),
        ("We'll be in touch regarding next steps in the coming week, by Friday next week at the latest", D(2026, 12, 11)),
        # ranges count by their later bound
        ("You'll hear back in 1–2 weeks", D(2026, 12, 15)),
        ("You'll hear back in 1 - 2 weeks", D(2026, 12, 15)),
        ("We'll get back to you in two to three weeks", D(2026, 12, 22)),
        ("We'll let you know within 3 to 5 business days", D(2026, 12, 8)),
        ("Decision within 2 or 3 days", D(2026, 12, 4)),
        # a date opening its clause, before the phrase
        ("By Friday, we'll let you know.", D(2026, 12, 4)),
        ("Within two weeks you'll hear back from the team", D(2026, 12, 15)),
        ("By December 9 the committee will reach a decision", D(2026, 12, 9)),
        # weekdays only as the object of the phrase
        ("I sat with the team; HR will be in touch", None),
        ("Great chat. We sat down and the decision is pending", None),
        ("The decision sat with the CEO", None),
        ("We'll decide Friday", D(2026, 12, 4)),
        ("Sun was out. We'll be in touch.", None),
        ("Wed like to follow up soon", None),
        # other dates are not timelines
        ("We'll be in touch by Friday; the start date would be January 11", D(2026, 12, 4)),
        ("We'll be in touch by Friday, the start date would be January 11", D(2026, 12, 4)),
        ("If we decide to make you an offer, you would start on January 11", None),
        ("Please send your references by Monday and we will get back to you", None),
        ("Send your references by Monday. We will get back to you.", None),
        ("Please follow up with your references by Monday", None),
        ("Could you let me know by Friday whether Tuesday works?", None),
        ("By Monday, please send your portfolio; we'll be in touch", None),
        ("Onsite on December 1. We'll follow up after the interview on December 1", None),
        ("Interview 2026-12-01, decision expected", None),
        ("Next steps: offer letter dated January 11", None),
        ("Your start date is 2027-01-11", None),
        ("Offer by Jan 11", None),
        ("Complete the take-home by Sunday", None),
        ("The hiring committee meets on Friday", None),
    ],
)
def test_stated_deadline(text, expected):
    assert stated_deadline(text, TUE, US.add_business_days) == expected
