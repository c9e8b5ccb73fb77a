"""Regressions found by the second, independent reading of the follow-up rules contract."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calsync.core.directives import find_outcomes, parse_contact, read_fields, without_outcome_lines
from calsync.core.drafts import tone_problems
from calsync.core.model import Contact, OutcomeKind
from calsync.core.timeline import stated_deadline
from tests.conftest import by_kind, calendar, plan_ics, vevent

LA = ZoneInfo("America/Los_Angeles")

TUESDAY = dt.date(2026, 12, 1)


def calendar_days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


@pytest.mark.parametrize("text, deadline", [
    ("We will be in touch by Wed, Dec 9", dt.date(2026, 12, 9)),
    ("We will be in touch by Wednesday, December 9.", dt.date(2026, 12, 9)),
    ("We'll let you know by Friday Dec 11", dt.date(2026, 12, 11)),
    ("We'll let you know by Dec 9, Wednesday", dt.date(2026, 12, 9)),
    ("We'll be in touch by Wednesday/Thursday", dt.date(2026, 12, 3)),
    ("We'll be in touch by Wednesday / Thursday", dt.date(2026, 12, 3)),
])
def test_a_weekday_and_its_date_are_one_deadline(text, deadline):
    assert stated_deadline(text, TUESDAY, calendar_days) == deadline


def test_punctuation_alone_chains_no_unrelated_date():
    text = "We will be in touch by Friday. Start date, December 20"
    assert stated_deadline(text, TUESDAY, calendar_days) == dt.date(2026, 12, 4)


@pytest.mark.parametrize("line", ["- Outcome: rejected 2026-12-03", "* Outcome: rejected 2026-12-03", "• Outcome: rejected 2026-12-03"])
def test_a_bulleted_outcome_line_counts(line):
    found = find_outcomes(f"Notes\n{line}", LA, TUESDAY)
    assert [(o.kind, o.at) for o in found] == [(OutcomeKind.REJECTED, dt.datetime(2026, 12, 3, tzinfo=LA))]
    assert without_outcome_lines(f"Notes\n{line}") == "Notes"  # its date is no timeline


@pytest.mark.parametrize("value, contact", [
    ("Jane Doe (jane@acme.example)", Contact(name="Jane Doe", email="jane@acme.example")),
    ("Jane Doe - jane@acme.example", Contact(name="Jane Doe", email="jane@acme.example")),
    ("Jane Doe, jane@acme.example", Contact(name="Jane Doe", email="jane@acme.example")),
    ("jane@acme.example", Contact(email="jane@acme.example")),
    ("Jane Doe <jane@acme.example>", Contact(name="Jane Doe", email="jane@acme.example")),
    ("Jane @ Acme", Contact(name="Jane @ Acme")),
])
def test_contact_address_written_without_angle_brackets(value, contact):
    assert parse_contact(value) == contact


def test_bulleted_fields_are_read():
    fields = read_fields("- Region: GB\n- Contact: Jane Doe <jane@acme.example>\n* Company: Acme")
    assert (fields.region, fields.contact.email, fields.company) == ("GB", "jane@acme.example", "Acme")


def test_a_rejected_application_asks_for_feedback_on_the_application(early):
    event = vevent("app-1", "20261201T100000", summary="Applied: Acme #applied",
                   description="Outcome: rejected 2026-12-03\nContact: Ann Lee <ann@acme.example>\nCompany: Acme")
    feedback = by_kind(plan_ics(calendar(event), early))["feedback_request"]
    assert "feedback on my application" in feedback.description
    assert "interview" not in feedback.description.lower() and "meeting everyone" not in feedback.description
    assert tone_problems(feedback.description) == []


def test_a_rejected_interview_still_asks_about_the_interview(early):
    event = vevent("iv-1", "20261201T100000", "20261201T110000", description="Outcome: rejected 2026-12-03")
    assert "feedback on my interview" in by_kind(plan_ics(calendar(event), early))["feedback_request"].description


@pytest.mark.parametrize("cutoff, end, due", [
    ("16:45", "20261201T164500", "2026-12-01T17:45:00-08:00"),  # written 17:15-17:45: due when it ends
    ("15:00", "20261201T150000", "2026-12-01T17:00:00-08:00"),  # the default: close of business
])
def test_a_same_day_thank_you_is_never_due_before_it_ends(early, cutoff, end, due):
    event = vevent("late-1", "20261201T140000", end)
    note = by_kind(plan_ics(calendar(event), early, {"rules": {"same_day_cutoff": cutoff}}))["thank_you"]
    assert note.due.isoformat() == due and note.due >= note.end


@pytest.mark.parametrize("line, at", [
    ("Outcome: responded 2026-12-08 2:30pm", dt.datetime(2026, 12, 8, 14, 30, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 2:30 PM", dt.datetime(2026, 12, 8, 14, 30, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 at 9:15 a.m.", dt.datetime(2026, 12, 8, 9, 15, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 12:15 am", dt.datetime(2026, 12, 8, 0, 15, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 12:15 pm", dt.datetime(2026, 12, 8, 12, 15, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 14:30", dt.datetime(2026, 12, 8, 14, 30, tzinfo=LA)),
    ("Outcome: responded 2026-12-08 14:30 pm", dt.datetime(2026, 12, 8, 14, 30, tzinfo=LA)),
])
def test_an_outcome_time_with_am_or_pm(line, at):
    assert [o.at for o in find_outcomes(line, LA, TUESDAY)] == [at]


def test_an_afternoon_answer_keeps_that_mornings_check_in(early):
    event = vevent("pm-1", "20261201T100000", "20261201T110000", description="Outcome: responded 2026-12-08 2:30pm")
    kinds = by_kind(plan_ics(calendar(event), early))
    assert kinds["check_in"].start.isoformat() == "2026-12-08T10:00:00-08:00" and "second_check_in" not in kinds
