import datetime as dt
import itertools
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from calsync.core.drafts import TEMPLATES, render_draft, tone_problems
from calsync.core.model import Contact, EventKind, Interview
from calsync.core.settings import DraftSettings

LA = ZoneInfo("America/Los_Angeles")
CONTACTS = [Contact(), Contact(name="Jane Doe"), Contact(email="hr@acme.example"), Contact(name="Jane Doe", email="jane@acme.example", phone="+1 555 0100")]


def interview(contact, company="", role=""):
    start = dt.datetime(2026, 12, 1, 10, tzinfo=LA)
    return Interview(uid="u", kind=EventKind.INTERVIEW, summary="Onsite #interview", start=start, end=start + dt.timedelta(hours=1),
                     contact=contact, company=company, role=role)


@pytest.mark.parametrize("kind, channel", sorted(TEMPLATES))
@pytest.mark.parametrize("contact, company, role", list(itertools.product(CONTACTS, ["", "Acme"], ["", "SRE"])))
def test_every_builtin_draft_asks_and_reads_well(kind, channel, contact, company, role):
    summary, description = render_draft(kind, channel, interview(contact, company, role), DraftSettings(signature="Robin"))
    assert tone_problems(summary + "\n" + description, kind.value) == []
    for broken in ("{", "}", " ,", "  ", "the  ", " at .", "None"):
        assert broken not in description.replace("\n\n", "\n")
    if contact.name:
        assert contact.name.split()[0] in description
    if company:
        assert company in description and company in summary


def test_mailto_link_carries_subject_and_body():
    _, description = render_draft(*sorted(TEMPLATES)[0], interview(Contact(name="Jane", email="jane@acme.example")), DraftSettings())
    link = next(line for line in description.splitlines() if line.startswith("mailto:"))
    parts = urlsplit(link)
    assert parts.path == "jane@acme.example"
    query = parse_qs(parts.query)
    assert query["subject"][0] and "Jane" in query["body"][0]


@pytest.mark.parametrize("text, found", [
    ("Please respond ASAP", ["asap"]),
    ("at your earliest convenience", ["at your earliest convenience"]),
    ("Why haven’t you called?", ["why haven't you"]),
    ("I was disappointed", ["disappointed"]),
    ("Any news? Happy to share more.", []),
])
def test_tone_check(text, found):
    assert tone_problems(text) == found


def test_second_check_in_never_mentions_the_first():
    assert tone_problems("Following up again since I haven't heard back", "second_check_in") == ["haven't heard", "again"]
    assert tone_problems("Following up again", "check_in") == []


@pytest.mark.parametrize("kind, channel", [k for k in sorted(TEMPLATES) if k[1].value == "email"])
@pytest.mark.parametrize("contact", [Contact(name="Jane", email="jane@acme.example"),
                                     Contact(name="Zoë Ñúñez", email="zoe+jobs@acme.example")])
def test_every_mailto_link_decodes_with_crlf_line_breaks(kind, channel, contact):
    company = "Acme & Söhne, Inc."
    _, description = render_draft(kind, channel, interview(contact, company, "R&D / QA"), DraftSettings(signature="Robin\nrobin@me.example"))
    link = next(line for line in description.splitlines() if line.startswith("mailto:"))
    assert all(c.isascii() and c.isprintable() and c != " " for c in link)
    assert "%0A" in link and "%0A" not in link.replace("%0D%0A", "")  # every line break is CRLF
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == contact.email
    query = parse_qs(parts.query, strict_parsing=True, encoding="utf-8", errors="strict")
    assert set(query) == {"subject", "body"} and len(query["body"]) == 1
    body = query["body"][0]
    # The decoded body is the draft shown above the link, with CRLF line breaks.
    shown = description.split("\n\n", 1)[1].rsplit("\n\n", 1)[0]
    assert body == shown.replace("\n", "\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert "Robin\r\nrobin@me.example" in body


def test_a_company_ending_with_a_period_ends_the_sentence_once():
    for kind, channel in sorted(TEMPLATES):
        summary, description = render_draft(kind, channel, interview(Contact(name="Jane"), "Acme, Inc.", "SRE"), DraftSettings())
        assert ".." not in summary + description
        assert "Acme, Inc." in description
