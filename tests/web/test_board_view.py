"""The board's cards from plan values: order, stages, follow-up states, drafts and links."""
import datetime as dt
from zoneinfo import ZoneInfo

from calsync.core.model import Channel, Contact, EventKind, FollowUp, Interview, Kind, Outcome, OutcomeKind
from calsync.web.board_view import build_cards, card_anchor, split_draft

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 12, 3, 12, tzinfo=LA)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=LA)


def interview(uid: str, day: int, company: str, outcomes=()) -> Interview:
    return Interview(uid, EventKind.INTERVIEW, f"{company} #interview", at(day), at(day, 11), company=company,
                     contact=Contact("Jane Doe", "jane@x.example"), outcomes=tuple(outcomes))


def followup(uid: str, kind: Kind, day: int, channel=Channel.EMAIL, description="Hi\n\nmailto:jane@x.example?subject=a") -> FollowUp:
    return FollowUp(kind, uid, at(day), at(day, 11), at(day, 17), channel, summary=f"{kind.value} {uid}",
                    description=description, source="s")


def test_open_threads_first_by_date_then_closed_ones_latest_first():
    interviews = [interview("c", 7, "Late"), interview("a", 1, "Early"), interview("x", 2, "Closed early",
                  [Outcome(OutcomeKind.REJECTED, at(2, 15))]), interview("y", 4, "Closed late", [Outcome(OutcomeKind.OFFER, at(4, 15))])]
    cards = build_cards(interviews, [], [], set(), NOW)
    assert [c.company for c in cards] == ["Early", "Late", "Closed late", "Closed early"]
    assert cards[0].stage == "Waiting for a reply" and cards[1].stage == "Upcoming"
    assert cards[2].stage == "Closed — Offer, Dec 4" and cards[2].closed
    assert cards[0].anchor == card_anchor("a") and cards[0].anchor != card_anchor("c")
    assert cards[0].contact == "Jane Doe <jane@x.example>"


def test_followup_states_and_drafts():
    ivs = [interview("a", 1, "Acme")]
    overdue = followup("a", Kind.THANK_YOU, 1)
    pending = followup("a", Kind.CHECK_IN, 8, Channel.CALL, description="Call Jane at +1 555")
    done = followup("a", Kind.SECOND_CHECK_IN, 2)
    missed = followup("a", Kind.FEEDBACK_REQUEST, 1, description="Subject: x\n\nHello")
    (card,) = build_cards(ivs, [pending, overdue, done], [missed], {done.id}, NOW)
    states = {f.title: f.state for f in card.followups}
    assert states == {"Thank-you note": "overdue", "Check-in": "pending", "Second check-in": "done", "Feedback request": "missed"}
    assert [f.title for f in card.followups][-1] == "Check-in"  # in time order
    by_title = {f.title: f for f in card.followups}
    assert by_title["Thank-you note"].mailto == "mailto:jane@x.example?subject=a" and by_title["Thank-you note"].draft == "Hi"
    assert by_title["Check-in"].mailto is None and by_title["Check-in"].channel == "call"
    assert by_title["Feedback request"].mailto is None  # no address in the draft: no link
    assert {f.title: f.can_be_done for f in card.followups} == {"Thank-you note": True, "Check-in": True,
                                                          "Second check-in": False, "Feedback request": False}


def test_split_draft():
    assert split_draft("Body\n\nmailto:a@b?x=1\n") == ("Body", "mailto:a@b?x=1")
    assert split_draft("Just a script") == ("Just a script", None)
