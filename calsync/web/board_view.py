"""What the board shows: one card per interview or application, built from the last plan and the state."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from calsync.core.model import Channel, EventKind, FollowUp, Interview, Kind, OutcomeKind
from calsync.core.suggest import Suggestion

KIND_LABELS = {
    Kind.THANK_YOU: "Thank-you note",
    Kind.CHECK_IN: "Check-in",
    Kind.SECOND_CHECK_IN: "Second check-in",
    Kind.FEEDBACK_REQUEST: "Feedback request",
    Kind.APPLICATION_FOLLOW_UP: "Application follow-up",
}
OUTCOME_LABELS = {
    OutcomeKind.RESPONDED: "Responded",
    OutcomeKind.REJECTED: "Rejected",
    OutcomeKind.FORM_REJECTION: "Form rejection",
    OutcomeKind.OFFER: "Offer",
    OutcomeKind.WITHDRAWN: "Withdrawn",
}


@dataclass(frozen=True)
class FollowUpView:
    fid: str
    title: str
    summary: str
    when: str
    due: str
    channel: str
    state: str  # pending | overdue | done | missed
    draft: str
    mailto: str | None

    @property
    def can_be_done(self) -> bool:
        return self.state in ("pending", "overdue")


@dataclass(frozen=True)
class CardView:
    uid: str
    anchor: str
    company: str
    role: str
    title: str
    kind: str
    when: str
    contact: str
    stage: str
    closed: bool
    followups: tuple[FollowUpView, ...]


@dataclass(frozen=True)
class SuggestionView:
    event: str
    summary: str
    when: str
    reasons: str
    planned: bool


@dataclass(frozen=True)
class BoardView:
    cards: tuple[CardView, ...]
    warnings: tuple[str, ...] = ()
    last_action: str = ""
    ready: bool = True
    as_of: str = ""
    notices: tuple[str, ...] = field(default=())
    suggestions: tuple[SuggestionView, ...] = ()


def card_anchor(uid: str) -> str:
    return "iv-" + hashlib.sha256(uid.encode()).hexdigest()[:12]


def moment(value: dt.datetime, zone: dt.tzinfo) -> str:
    local = value.astimezone(zone)
    return f"{local:%a %b} {local.day}, {local:%H:%M}"


def split_draft(description: str) -> tuple[str, str | None]:
    """The draft text and its mailto: link (drafts put it on the last line when the address is known)."""
    lines = description.rstrip().splitlines()
    if lines and lines[-1].startswith("mailto:"):
        return "\n".join(lines[:-1]).rstrip(), lines[-1]
    return description.rstrip(), None


def _stage(interview: Interview, now: dt.datetime) -> tuple[str, bool]:
    if interview.outcomes:
        last = max(interview.outcomes, key=lambda o: o.at)
        day = last.at.astimezone(now.tzinfo)
        return f"Closed — {OUTCOME_LABELS[last.kind]}, {day:%b} {day.day}", True
    if interview.start > now:
        return "Upcoming", False
    return "Waiting for a reply", False


def _followup(f: FollowUp, missed: bool, done: bool, now: dt.datetime) -> FollowUpView:
    draft, mailto = split_draft(f.description)
    if missed:
        state = "missed"
    elif done:
        state = "done"
    else:
        state = "overdue" if f.due < now else "pending"
    return FollowUpView(f.id, KIND_LABELS[f.kind], f.summary, moment(f.start, now.tzinfo), moment(f.due, now.tzinfo),
                        "e-mail" if f.channel is Channel.EMAIL else "call", state, draft,
                        mailto if f.channel is Channel.EMAIL else None)


def _when(interview: Interview, zone: dt.tzinfo) -> str:
    """An all-day entry (an application's day) shows its date alone."""
    start = interview.start.astimezone(zone)
    if start.time() == dt.time(0) and (interview.end - interview.start) % dt.timedelta(days=1) == dt.timedelta(0):
        return f"{start:%a %b} {start.day}"
    return moment(interview.start, zone)


def _contact(interview: Interview) -> str:
    c = interview.contact
    parts = [c.name, f"<{c.email}>" if c.email else "", c.phone]
    return " ".join(p for p in parts if p)


def build_cards(interviews: Iterable[Interview], followups: Iterable[FollowUp], missed: Iterable[FollowUp],
                done: set[str], now: dt.datetime) -> tuple[CardView, ...]:
    """Open threads first (soonest first), closed ones after them (latest first); follow-ups in time order."""
    by_interview: dict[str, list[tuple[FollowUp, bool]]] = {}
    for items, is_missed in ((followups, False), (missed, True)):
        for f in items:
            by_interview.setdefault(f.interview, []).append((f, is_missed))
    open_cards: list[tuple[dt.datetime, CardView]] = []
    closed_cards: list[tuple[dt.datetime, CardView]] = []
    for interview in interviews:
        stage, closed = _stage(interview, now)
        mine = sorted(by_interview.get(interview.uid, ()), key=lambda pair: (pair[0].start, pair[0].kind.value))
        card = CardView(
            uid=interview.uid, anchor=card_anchor(interview.uid), company=interview.company or interview.summary,
            role=interview.role, title=interview.summary,
            kind="Application" if interview.kind is EventKind.APPLICATION else "Interview",
            when=_when(interview, now.tzinfo), contact=_contact(interview), stage=stage, closed=closed,
            followups=tuple(_followup(f, is_missed, f.id in done, now) for f, is_missed in mine),
        )
        (closed_cards if closed else open_cards).append((interview.start, card))
    open_cards.sort(key=lambda pair: pair[0])
    closed_cards.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(card for _, card in open_cards + closed_cards)


def build_suggestions(suggestions: Iterable[Suggestion], zone: dt.tzinfo) -> tuple[SuggestionView, ...]:
    """Untagged events that read like interviews (`match.auto`), soonest first."""
    return tuple(SuggestionView(s.event, s.summary, moment(s.start, zone), ", ".join(s.reasons), s.planned)
                 for s in sorted(suggestions, key=lambda s: s.start))
