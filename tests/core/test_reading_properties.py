"""Properties of reading event text (hypothesis): prose never moves the check-in; nothing crashes."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calsync.core.business import BusinessCalendar
from calsync.config.holidays import holiday_source
from calsync.core.detect import Seen, read_interview
from calsync.core.directives import find_outcomes, has_no_calls, read_fields
from calsync.core.html_text import html_to_text, plain_text
from calsync.core.model import SourceEvent
from calsync.core.settings import PlanSettings
from calsync.core.timeline import stated_deadline

US = BusinessCalendar(holiday_source("holidays", "US"))
LA = ZoneInfo("America/Los_Angeles")
TUE = dt.date(2026, 12, 1)
FUZZ = settings(max_examples=int(os.environ.get("CALSYNC_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Everyday words plus every kind of date, start dates, offers and homework, but no phrase about
# hearing back (no "touch", "back", "hear", "follow", "reach", "know", "decide", "steps", "respond", …).
PROSE_WORDS = [
    "the", "a", "we", "you", "I", "they", "team", "engineers", "sat", "with", "lunch", "tour", "office", "by", "on",
    "until", "before", "in", "within", "next", "this", "end", "of", "week", "month", "Friday", "Mon", "Thu.", "sun",
    "Saturday", "December", "4", "Dec.", "11", "January", "2027-01-11", "2026-12-20", "two", "1-2", "weeks", "days",
    "business", "offer", "start", "date", "would", "be", "send", "your", "references", "portfolio", "please",
    "interview", "onsite", "call", "phone", "Company:", "Role:", "Acme", "recruiter", "HR", "said", "great",
    "tomorrow", "deadline", "slides", "prepare", "may", "will", "get", "let", "me", "us", "out", "up", "steps?",
]
ENDINGS = ["today", "there", "again", "soon", "first", "too"]
TIMELINES = [
    "", "We'll be in touch by Friday.", "You'll hear back in 1-2 weeks.", "The recruiter will follow up within two weeks.",
    "HR will get back to me by Thursday.", "Decision by December 9.", "We'll let you know next week.",
    "By Friday, we'll reach out.", "Next steps within 3 business days.",
]


@st.composite
def prose_sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(PROSE_WORDS), min_size=1, max_size=12))
    text = " ".join(words + [draw(st.sampled_from(ENDINGS))])
    return text[0].upper() + text[1:] + draw(st.sampled_from([".", "!", "?"]))


@FUZZ
@given(st.sampled_from(TIMELINES), st.lists(prose_sentence(), max_size=6), st.integers(0, 6),
       st.sampled_from([" ", "\n", "\n\n"]))
def test_prose_never_moves_the_stated_timeline(timeline, prose, where, joiner):
    sentences = list(prose)
    sentences.insert(min(where, len(sentences)), timeline)
    text = joiner.join(s for s in sentences if s)
    assert stated_deadline(text, TUE, US.add_business_days) == stated_deadline(timeline, TUE, US.add_business_days)


@FUZZ
@given(st.lists(prose_sentence(), min_size=1, max_size=6))
def test_prose_alone_leaves_the_default_check_in(prose):
    start = dt.datetime(2026, 12, 1, 10, tzinfo=LA)
    event = SourceEvent(uid="p", summary="Onsite #interview", description=" ".join(prose), start=start,
                        end=start + dt.timedelta(hours=1))
    interview = read_interview(event, PlanSettings(zone=LA), Seen(start, {}, {}), lambda region: US)
    assert interview is not None and interview.deadline is None


# Fragments of every directive, and of HTML, glued together at random with random characters.
FRAGMENTS = [
    "Company:", "Contact:", "Phone:", "Role:", "Region:", "Outcome:", "Decision by:", "Deadline:", "Hear back by:",
    "Follow up after:", "rejected", "form rejection", "offer", "#rejected", "#offer", "#interview", "#interview-prep",
    "<", ">", "@", ".", "mailto:", "<br>", "<p>", "</div>", "&amp;", "&nbsp;", "&#", "<!--", "-->", "<script>",
    "\n", "\r\n", "\\n", " ", "\t", "\u2028", "\u00a0", "in touch", "get back to you", "by", "within", "1-2", "–",
    "two to three", "weeks", "business days", "Friday", "fri.", "sat", "Dec.", "December 4", "2026-12-40",
    "9999-12-31", "0000-01-01", "Feb 30", "no phone calls", "don’t call", "next steps", "decision", ":", ";", "!",
]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60))
def test_the_directive_reader_takes_any_text(pieces):
    text = "".join(pieces)
    start = dt.datetime(2026, 12, 1, 10, tzinfo=LA)
    for description in (text, plain_text(text), html_to_text(text)):
        event = SourceEvent(uid="f", summary="Onsite #interview", description=description, start=start,
                            end=start + dt.timedelta(hours=1))
        interview = read_interview(event, PlanSettings(zone=LA), Seen(start, {}, {}), lambda region: US)
        assert interview is not None
        assert interview.deadline is None or isinstance(interview.deadline, dt.date)
        assert all(o.at.tzinfo is not None for o in interview.outcomes)
        assert isinstance(has_no_calls(description), bool)
        fields = read_fields(description)
        assert "\n" not in fields.company + fields.role + fields.contact.email
        assert all(m.at is None or m.at.tzinfo is not None for m in find_outcomes(description, LA, TUE))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("<>/!?-ab &;#x1\n\"'=")), max_size=80))
def test_html_reading_never_grows_the_text_beyond_its_line_breaks(markup):
    text = html_to_text(markup)
    assert len(text) <= len(markup) + markup.count("<")
    assert "<br>" not in text.lower()
