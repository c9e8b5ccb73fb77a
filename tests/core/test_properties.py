"""Invariants of planning, over generated interviews (hypothesis)."""
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from calsync.config import build_config
from calsync.core.detect import Seen
from calsync.core.drafts import tone_problems
from calsync.core.model import Channel, Kind, SourceEvent
from calsync.planner import build_plan
from tests.conftest import examples

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC"]
PHRASES = ["", "We'll be in touch by Friday.", "Hear back within two weeks", "Decision by: 2027-01-08", "decision by December 24",
           "get back to you by end of week", "We'll let you know next week", "within 3 business days we'll respond",
           "Follow up after: Jan 2"]
OUTCOMES = ["", "#rejected", "#form-rejection", "#responded", "#offer", "Outcome: rejected 2026-12-20",
            "Outcome: form rejection 2026-12-03", "Outcome: responded 2026-12-10T15:00"]


@st.composite
def events(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = draw(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31))).replace(second=0, microsecond=0)
    start = start.replace(tzinfo=zone)
    length = dt.timedelta(minutes=draw(st.integers(min_value=15, max_value=600)))
    pieces = [draw(st.sampled_from(PHRASES)), draw(st.sampled_from(OUTCOMES)),
              draw(st.sampled_from(["", "No phone calls please", "Contact: Jo <jo@x.example>", "Company: Acme\nRole: SRE"]))]
    tag = draw(st.sampled_from(["#interview", "#interview", "#applied"]))
    all_day = draw(st.booleans()) and tag == "#applied"
    end = start + (dt.timedelta(days=1) if all_day else length)
    return SourceEvent(uid=f"ev-{draw(st.integers(0, 10**6))}", summary=f"Talk {tag}", description="\n".join(pieces),
                       start=start, end=end, all_day=all_day)


def plan(evts, zone="America/Los_Angeles", now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)):
    config = build_config({"timezone": zone})
    return build_plan(evts, config.plan, Seen(now, {}, {}))


@settings(max_examples=examples(150))
@given(st.lists(events(), min_size=1, max_size=4), st.sampled_from(ZONES))
def test_planning_is_deterministic(evts, zone):
    assert plan(evts, zone).plan == plan(list(evts), zone).plan


@settings(max_examples=examples(200))
@given(events(), st.sampled_from(ZONES))
def test_every_followup_is_well_formed(event, zone):
    result = plan([event], zone)
    interview = result.interviews[0]
    for f in result.plan.followups:
        for moment in (f.start, f.end, f.due):
            assert moment.tzinfo is not None and moment.utcoffset() is not None
            assert moment.tzinfo.key == zone  # always shown in the user's zone
        assert f.start < f.end
        if f.kind is not Kind.THANK_YOU:
            assert f.start.date() > interview.start.date()
        if interview.no_calls:
            assert f.channel is Channel.EMAIL
        if interview.deadline is not None and f.kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN):
            assert f.start.date() > interview.deadline
        assert tone_problems(f.description, f.kind.value) == []


@settings(max_examples=examples(200))
@given(events())
def test_nothing_new_after_a_form_rejection(event):
    result = plan([event])
    interview = result.interviews[0]
    forms = [o.at for o in interview.outcomes if o.kind.value == "form-rejection"]
    if not forms:
        return
    kinds = {f.kind for f in result.plan.followups if f.start > min(forms)}
    assert kinds <= {Kind.THANK_YOU}
    if all(o.kind.value != "rejected" for o in interview.outcomes):
        assert Kind.FEEDBACK_REQUEST not in {f.kind for f in result.plan.followups}


@settings(max_examples=examples(100))
@given(events())
def test_feedback_only_after_personal_rejection(event):
    result = plan([event])
    has_feedback = any(f.kind is Kind.FEEDBACK_REQUEST for f in result.plan.followups + result.plan.missed)
    assert has_feedback == any(o.kind.value == "rejected" for o in result.interviews[0].outcomes)
