"""Every row of the spec's follow-up table, through the real .ics reader and planner."""
import datetime as dt

import pytest

from tests.conftest import LA, by_kind, calendar, plan_ics, vevent


def plan_one(start, end, description="", tz="America/Los_Angeles", now=None, config=None, summary="Interview #interview", extra=""):
    now = now or dt.datetime(2026, 1, 2, 9, 0, tzinfo=LA)
    result = plan_ics(calendar(vevent("i1", start, end, summary=summary, description=description, tz=tz, extra=extra)), now, config)
    return {k: (f.start.isoformat(), f.due.isoformat(), f.channel.value) for k, f in by_kind(result).items()}, result


THANK_YOU = [
    # id, start, end, tz, expected start, expected due
    ("morning", "20261201T100000", "20261201T110000", "America/Los_Angeles", "2026-12-01T11:30:00-08:00", "2026-12-01T17:00:00-08:00"),
    ("ends at cutoff", "20261201T140000", "20261201T150000", "America/Los_Angeles", "2026-12-01T15:30:00-08:00", "2026-12-01T17:00:00-08:00"),
    ("ends after cutoff", "20261201T140100", "20261201T150100", "America/Los_Angeles", "2026-12-02T09:00:00-08:00", "2026-12-02T15:01:00-08:00"),
    ("friday afternoon", "20261204T150000", "20261204T160000", "America/Los_Angeles", "2026-12-05T09:00:00-08:00", "2026-12-05T16:00:00-08:00"),
    ("thanksgiving", "20261126T100000", "20261126T110000", "America/Los_Angeles", "2026-11-27T09:00:00-08:00", "2026-11-27T11:00:00-08:00"),
    ("saturday dawn", "20261205T060000", "20261205T070000", "America/Los_Angeles", "2026-12-05T07:30:00-08:00", "2026-12-06T07:00:00-08:00"),
    ("dst ends (fall back)", "20261031T160000", "20261031T170000", "America/Los_Angeles", "2026-11-01T09:00:00-08:00", "2026-11-01T16:00:00-08:00"),
    ("dst starts (spring forward)", "20260307T160000", "20260307T170000", "America/Los_Angeles", "2026-03-08T09:00:00-07:00", "2026-03-08T18:00:00-07:00"),
    ("new york source", "20261201T130000", "20261201T140000", "America/New_York", "2026-12-01T11:30:00-08:00", "2026-12-01T17:00:00-08:00"),
    ("tokyo source crosses the date", "20261202T090000", "20261202T100000", "Asia/Tokyo", "2026-12-02T09:00:00-08:00", "2026-12-02T17:00:00-08:00"),
    ("utc source", "20261201T210000Z", "20261201T220000Z", None, "2026-12-01T14:30:00-08:00", "2026-12-01T17:00:00-08:00"),
]


@pytest.mark.parametrize("name, start, end, tz, want_start, want_due", THANK_YOU, ids=[c[0] for c in THANK_YOU])
def test_thank_you(name, start, end, tz, want_start, want_due):
    got, _ = plan_one(start, end, tz=tz)
    assert got["thank_you"] == (want_start, want_due, "email")


def test_thank_you_without_dtend_lasts_an_hour():
    got, _ = plan_one("20261201T140000", None)
    assert got["thank_you"][0] == "2026-12-01T15:30:00-08:00"


def test_thank_you_with_duration():
    got, _ = plan_one("20261201T100000", None, extra="DURATION:PT5H30M")
    assert got["thank_you"][:2] == ("2026-12-02T09:00:00-08:00", "2026-12-02T15:30:00-08:00")


def test_all_day_interview_ends_at_close_of_business():
    got, _ = plan_one("20261201", "20261202")
    assert got["thank_you"][:2] == ("2026-12-02T09:00:00-08:00", "2026-12-02T17:00:00-08:00")


def test_configured_cutoff_and_hours():
    config = {"business": {"start": "08:00", "close": "18:00"}}
    got, _ = plan_one("20261201T150000", "20261201T160000", config=config)  # cutoff 16:00
    assert got["thank_you"][:2] == ("2026-12-01T16:30:00-08:00", "2026-12-01T18:00:00-08:00")
    got, _ = plan_one("20261201T150000", "20261201T160000", config={"rules": {"same_day_cutoff": "15:30"}})
    assert got["thank_you"][0] == "2026-12-02T09:00:00-08:00"


CHECK_IN = [
    ("no timeline", "20261201T100000", "", "2026-12-08T10:00:00-08:00", "2026-12-11T10:00:00-08:00"),
    ("thanksgiving week", "20261123T100000", "", "2026-12-01T10:00:00-08:00", "2026-12-04T10:00:00-08:00"),
    ("christmas and new year", "20261221T100000", "", "2026-12-29T10:00:00-08:00", "2027-01-04T10:00:00-08:00"),
    ("in touch by friday", "20261201T100000", "We'll be in touch by Friday.", "2026-12-07T10:00:00-08:00", "2026-12-10T10:00:00-08:00"),
    ("end of week", "20261201T100000", "They will get back to you by end of week", "2026-12-07T10:00:00-08:00", "2026-12-10T10:00:00-08:00"),
    ("within two weeks", "20261201T100000", "You should hear back within two weeks.", "2026-12-16T10:00:00-08:00", "2026-12-21T10:00:00-08:00"),
    ("decision by december 4", "20261201T100000", "Decision by December 4, they said", "2026-12-07T10:00:00-08:00", "2026-12-10T10:00:00-08:00"),
    ("explicit deadline before christmas", "20261201T100000", "Decision by: 2026-12-24", "2026-12-28T10:00:00-08:00", "2026-12-31T10:00:00-08:00"),
    ("explicit line wins over later phrase", "20261201T100000", "Deadline: Dec 2\nwe'll be in touch within two weeks", "2026-12-03T10:00:00-08:00", "2026-12-08T10:00:00-08:00"),
    ("latest phrase counts", "20261201T100000", "in touch by Friday; decision by December 9", "2026-12-10T10:00:00-08:00", "2026-12-15T10:00:00-08:00"),
    ("within 3 business days", "20261124T100000", "We'll respond within 3 business days", "2026-12-01T10:00:00-08:00", "2026-12-04T10:00:00-08:00"),
    ("end of month", "20261201T100000", "Decision at the end of the month", "2027-01-04T10:00:00-08:00", "2027-01-07T10:00:00-08:00"),
    ("next week", "20261201T100000", "We'll let you know next week", "2026-12-14T10:00:00-08:00", "2026-12-17T10:00:00-08:00"),
    ("follow up after", "20261201T100000", "Follow up after: 2026-12-18", "2026-12-21T10:00:00-08:00", "2026-12-24T10:00:00-08:00"),
    ("hear back by", "20261201T100000", "Hear back by: in a week", "2026-12-09T10:00:00-08:00", "2026-12-14T10:00:00-08:00"),
]


@pytest.mark.parametrize("name, start, description, want_check, want_second", CHECK_IN, ids=[c[0] for c in CHECK_IN])
def test_check_ins(name, start, description, want_check, want_second):
    end = start[:9] + "11" + start[11:]
    got, _ = plan_one(start, end, description=description)
    check_due = want_check[:11] + "17:00:00" + want_check[19:]
    assert got["check_in"] == (want_check, check_due, "call")
    assert got["second_check_in"][0] == want_second


@pytest.mark.parametrize("phrase", ["No phone calls, please", "NO CALLS", "Please do not call", "don't call us", "don’t call", "please, no phone calls"])
def test_no_calls_means_email_everywhere(phrase):
    got, _ = plan_one("20261201T100000", "20261201T110000", description=f"Posting: {phrase}.")
    assert {channel for _, _, channel in got.values()} == {"email"}


def test_check_in_channel_email_by_config():
    got, _ = plan_one("20261201T100000", "20261201T110000", config={"rules": {"check_in_channel": "email"}})
    assert got["check_in"][2] == "email" and got["second_check_in"][2] == "email"


def test_region_line_switches_holidays():
    # Dec 28 2026 is the UK Boxing Day substitute; the US works that day.
    us, _ = plan_one("20261221T100000", "20261221T110000")
    gb, _ = plan_one("20261221T100000", "20261221T110000", description="Region: GB")
    assert us["check_in"][0].startswith("2026-12-29")
    assert gb["check_in"][0].startswith("2026-12-30")


OUTCOMES = [
    ("responded later keeps first check-in", "Outcome: responded 2026-12-09", {"thank_you", "check_in"}, None),
    ("responded early drops both", "#responded", {"thank_you"}, None),
    ("personal rejection asks for feedback", "Outcome: rejected 2026-12-03", {"thank_you", "feedback_request"}, "2026-12-04T10:00:00-08:00"),
    ("rejection with a time", "Outcome: rejected 2026-12-04T16:30", {"thank_you", "feedback_request"}, "2026-12-07T10:00:00-08:00"),
    ("rejection before thanksgiving", "Outcome: rejected 2026-11-25", {"thank_you", "feedback_request"}, "2026-11-27T10:00:00-08:00"),
    ("form rejection plans nothing new", "Outcome: form rejection 2026-12-03", {"thank_you"}, None),
    ("form rejection tag", "#form-rejection", {"thank_you"}, None),
    ("offer", "Outcome: offer 2026-12-10", {"thank_you", "check_in"}, None),
    ("withdrawn", "Outcome: withdrawn", {"thank_you"}, None),
]


@pytest.mark.parametrize("name, text, kinds, feedback", OUTCOMES, ids=[c[0] for c in OUTCOMES])
def test_outcomes(name, text, kinds, feedback):
    start = "20261124T100000" if "thanksgiving" in name else "20261201T100000"
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=LA)  # undated outcomes take the first-seen time
    got, _ = plan_one(start, start[:9] + "110000", description=text, now=now)
    assert set(got) == kinds
    if feedback:
        assert got["feedback_request"] == (feedback, feedback[:11] + "17:00:00-08:00", "email")


def test_undated_rejection_takes_first_seen_time():
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=LA)
    got, result = plan_one("20261201T100000", "20261201T110000", description="#rejected", now=now)
    assert got["feedback_request"][0] == "2026-12-03T10:00:00-08:00"
    assert [f.kind.value for f in result.plan.missed] == ["thank_you"]


def test_missed_followups_are_not_planned():
    now = dt.datetime(2026, 12, 9, 12, 0, tzinfo=LA)
    got, result = plan_one("20261201T100000", "20261201T110000", now=now)
    assert set(got) == {"second_check_in"}
    assert sorted(f.kind.value for f in result.plan.missed) == ["check_in", "thank_you"]


def test_due_exactly_now_is_still_planned():
    now = dt.datetime(2026, 12, 1, 17, 0, tzinfo=LA)
    got, _ = plan_one("20261201T100000", "20261201T110000", now=now)
    assert "thank_you" in got


def test_application_follow_up():
    got, _ = plan_one("20261130", "20261201", summary="Applied to Vandelay #applied")
    assert got == {"application_follow_up": ("2026-12-07T10:00:00-08:00", "2026-12-07T17:00:00-08:00", "email")}


def test_application_tag_wins_over_interview_tag():
    got, _ = plan_one("20261130", "20261201", summary="#applied #interview")
    assert set(got) == {"application_follow_up"}


def test_application_with_response_drops_follow_up():
    got, _ = plan_one("20261130", "20261201", summary="#applied", description="Outcome: responded 2026-12-02")
    assert got == {}


@pytest.mark.parametrize("extra", ["STATUS:CANCELLED", "ATTENDEE;PARTSTAT=DECLINED:mailto:Me@Example.com"])
def test_cancelled_or_declined_interviews_plan_nothing(extra):
    got, result = plan_one("20261201T100000", "20261201T110000", extra=extra, config={"me": ["me@example.com"]})
    assert got == {} and result.interviews == ()


def test_someone_elses_decline_does_not_count():
    got, _ = plan_one("20261201T100000", "20261201T110000", extra="ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.com", config={"me": ["me@example.com"]})
    assert "thank_you" in got


@pytest.mark.parametrize(
    "summary, extra, config, matched",
    [
        ("Chat with Acme", "", {}, False),
        ("Chat with Acme #INTERVIEW", "", {}, True),
        ("Chat with Acme", "CATEGORIES:Work,Interview", {}, True),
        ("Onsite: Acme", "", {"match": {"summary_regex": "^Onsite:"}}, True),
        ("Chat #job", "", {"match": {"tags": ["#job"]}}, True),
        ("Chat #interview", "", {"match": {"tags": ["#job"]}}, False),
    ],
)
def test_matchers(summary, extra, config, matched):
    got, _ = plan_one("20261201T100000", "20261201T110000", summary=summary, extra=extra, config=config)
    assert ("thank_you" in got) is matched


def test_recurring_interview_each_occurrence_counts():
    data = calendar(vevent("series", "20261201T100000", "20261201T110000", extra="RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE;TZID=America/Los_Angeles:20261208T100000"))
    result = plan_ics(data, dt.datetime(2026, 11, 20, tzinfo=LA))
    uids = sorted({f.interview for f in result.plan.followups})
    assert uids == ["series@20261201T180000Z", "series@20261215T180000Z"]


def test_moved_occurrence_keeps_its_identity_and_moves_followups():
    data = calendar(
        vevent("series", "20261201T100000", "20261201T110000", extra="RRULE:FREQ=WEEKLY;COUNT=2"),
        vevent("series", "20261210T140000", "20261210T150000", extra="RECURRENCE-ID;TZID=America/Los_Angeles:20261208T100000"),
    )
    result = plan_ics(data, dt.datetime(2026, 11, 20, tzinfo=LA))
    moved = by_kind(result, "series@20261208T180000Z")
    assert moved["thank_you"].start.isoformat() == "2026-12-10T15:30:00-08:00"


def test_user_zone_other_than_source_zone():
    got, _ = plan_one("20261201T100000", "20261201T110000", config={"timezone": "Europe/Berlin"})
    # 10:00-11:00 in Los Angeles is 19:00-20:00 in Berlin: after the cut-off there.
    assert got["thank_you"][:2] == ("2026-12-02T09:00:00+01:00", "2026-12-02T20:00:00+01:00")
