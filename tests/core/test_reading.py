"""Reading event text: HTML descriptions, whole-token tags, contact lines (issue 11)."""
import datetime as dt

import pytest

from calsync.core.detect import has_tag
from calsync.core.directives import find_outcomes, has_no_calls, parse_contact, read_fields
from calsync.core.html_text import html_to_text, plain_text
from calsync.core.model import Contact, OutcomeKind
from tests.conftest import LA, by_kind, calendar, plan_ics, vevent


@pytest.mark.parametrize("markup, text", [
    ("<b>Acme onsite</b><br>Company: Acme<br>Outcome: rejected 2026-12-03",
     "Acme onsite\nCompany: Acme\nOutcome: rejected 2026-12-03"),
    ("<p>Company: Acme</p><p>Role: SRE</p>", "\nCompany: Acme\n\nRole: SRE\n"),
    ("<div>Q&amp;A&nbsp;with&nbsp;Jo</div>", "\nQ&A with Jo\n"),
    ("<ul><li>one</li><li>two</li></ul>", "\n\none\n\ntwo\n\n"),
    ('Contact: <a href="mailto:jo@acme.example">Jo &lt;jo@acme.example&gt;</a>', "Contact: Jo <jo@acme.example>"),
    ("Contact: Jo <jo@acme.example><br/>Phone: 1", "Contact: Jo <jo@acme.example>\nPhone: 1"),
    ("a < b and c > d<BR>e", "a < b and c > d\ne"),
    ("x<!-- hidden <br> -->y<script>z<br></script>w", "xyw"),
    ("<o:p></o:p>Done&#33; &#x263A;", "Done! ☺"),
    ("<b>unclosed", "unclosed"),
    ("text then <", "text then <"),
])
def test_html_is_read_as_text(markup, text):
    assert html_to_text(markup) == text


@pytest.mark.parametrize("text", ["Contact: Jo <jo@acme.example>", "a < b > c", "plain text, 3 < 4", "R&D team"])
def test_plain_text_is_left_alone(text):
    assert plain_text(text) == text


def test_html_outcome_after_br_is_its_own_line(early):
    # Google Calendar's web editor stores this; the rejection must be seen (issue 11).
    description = "<b>Acme onsite</b><br>Company: Acme<br>Outcome: rejected 2026-12-03"
    result = plan_ics(calendar(vevent("g1", "20261201T100000", "20261201T110000", description=description)), early)
    kinds = by_kind(result)
    assert "check_in" not in kinds and "second_check_in" not in kinds
    assert kinds["feedback_request"].start.date() == dt.date(2026, 12, 4)
    assert result.interviews[0].company == "Acme"


def test_html_description_timeline_and_no_calls(early):
    description = "<p>Thanks for coming in!</p><p>We&#39;ll be in touch by <b>Friday</b>.</p><div>Please,&nbsp;no phone calls.</div>"
    result = plan_ics(calendar(vevent("g2", "20261201T100000", "20261201T110000", description=description)), early)
    check = by_kind(result)["check_in"]
    assert check.start.date() == dt.date(2026, 12, 7) and check.channel.value == "email"


@pytest.mark.parametrize("text, tag, found", [
    ("Mock interview #interview-prep", "#interview", False),
    ("Panel with #interviewer notes", "#interview", False),
    ("#interview_2", "#interview", False),
    ("#interview9", "#interview", False),
    ("Onsite #interview", "#interview", True),
    ("Onsite #Interview.", "#interview", True),
    ("#interview, #interview-prep", "#interview", True),
    ("#interview-prep then #interview", "#interview", True),
    ("(#interview)", "#interview", True),
    ("Onsite\n#INTERVIEW\n", "#interview", True),
    ("#applied!", "#applied", True),
    ("#applied-for-fun", "#applied", False),
    ("interviews", "interview", False),
    ("preinterview", "interview", False),
    ("an interview:", "interview", True),
    ("x#interview", "#interview", False),
    ("pre-#interview", "#interview", False),
])
def test_tags_are_whole_tokens(text, tag, found):
    assert has_tag(text, tag) is found


def test_interview_prep_is_not_an_interview(early):
    events = [vevent("prep", "20261201T100000", "20261201T110000", summary="Mock interview #interview-prep"),
              vevent("real", "20261202T100000", "20261202T110000", summary="Onsite #interview")]
    result = plan_ics(calendar(*events), early)
    assert [i.uid for i in result.interviews] == ["real"]


@pytest.mark.parametrize("value, contact", [
    ("Jane Doe <jane@acme.example>", Contact(name="Jane Doe", email="jane@acme.example")),
    ('"Doe, Jane" <mailto:jane@acme.example>', Contact(name="Doe, Jane", email="jane@acme.example")),
    ("<jane@acme.example>", Contact(email="jane@acme.example")),
    ("jane@acme.example", Contact(email="jane@acme.example")),
    ("mailto:jane@acme.example", Contact(email="jane@acme.example")),
    ("Jane Doe", Contact(name="Jane Doe")),
    ("Jane <jane@localhost>", Contact(name="Jane <jane@localhost>")),
    ("a@" + "." * 50, Contact(name="a@" + "." * 50)),
    ("<" + "@" * 50, Contact(name="<" + "@" * 50)),
    ("x <a@b@c.d>", Contact(name="x <a@b@c.d>")),
])
def test_contact_lines(value, contact):
    assert parse_contact(value) == contact


def test_fields_first_of_each_wins_and_whitespace_is_tidied():
    fields = read_fields("  Company :  Acme   Robotics  \nCompany: Other\nROLE: Backend  Engineer\n"
                         "Contact: Jo <jo@acme.example>\nPhone: +1 555 0100\nRegion: gb\nNotes: Company: no")
    assert (fields.company, fields.role, fields.region) == ("Acme Robotics", "Backend Engineer", "GB")
    assert fields.contact == Contact(name="Jo", email="jo@acme.example", phone="+1 555 0100")


def test_outcome_lines_and_tags():
    found = find_outcomes("Outcome: rejected 2026-12-03\n  outcome :  Form  Rejection\n#offer #responded-ish x#withdrawn",
                          LA, dt.date(2026, 12, 1))
    assert [(m.kind, m.at) for m in found] == [
        (OutcomeKind.REJECTED, dt.datetime(2026, 12, 3, tzinfo=LA)),
        (OutcomeKind.FORM_REJECTION, None),
        (OutcomeKind.OFFER, None),
    ]


@pytest.mark.parametrize("text, found", [
    ("Please, no phone calls.", True), ("NO CALLS", True), ("Do not  call", True), ("don’t call us", True),
    ("no callsign", False), ("call me", False), ("", False),
])
def test_no_calls(text, found):
    assert has_no_calls(text) is found
