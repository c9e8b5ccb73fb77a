"""Which events are interviews or applications, and what their text says."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from calsync.core.business import BusinessCalendar
from calsync.core.dates import stated_deadline
from calsync.core.directives import find_outcomes, has_no_calls, read_fields, without_outcome_lines
from calsync.core.model import Contact, EventKind, Interview, Outcome, OutcomeKind, SourceEvent
from calsync.core.settings import PlanSettings


def classify(event: SourceEvent, settings: PlanSettings) -> EventKind | None:
    """Interview, application or neither, by the matchers of ``[match]``."""
    match = settings.match
    text = f"{event.summary}\n{event.description}".lower()
    if any(tag.lower() in text for tag in match.application_tags if tag):
        return EventKind.APPLICATION
    categories = {c.strip().lower() for c in event.categories}
    if (
        any(tag.lower() in text for tag in match.tags if tag)
        or any(c.lower() in categories for c in match.categories)
        or (match.color_ids and event.color_id in match.color_ids)
        or ((pattern := match.summary_pattern) is not None and pattern.search(event.summary))
    ):
        return EventKind.INTERVIEW
    return None


def is_declined(event: SourceEvent, me: tuple[str, ...]) -> bool:
    mine = {address.lower() for address in me}
    return any(a.partstat == "DECLINED" and (a.is_me or a.email.lower() in mine) for a in event.attendees)


@dataclass(frozen=True)
class Seen:
    """When calsync first saw interviews and undated outcomes; ``now`` for anything new."""

    now: dt.datetime
    interviews: Mapping[str, dt.datetime]
    outcomes: Mapping[tuple[str, str], dt.datetime]

    def interview(self, uid: str) -> dt.datetime:
        return self.interviews.get(uid, self.now)

    def outcome(self, uid: str, kind: OutcomeKind) -> dt.datetime:
        return self.outcomes.get((uid, kind.value), self.now)


def read_interview(
    event: SourceEvent,
    settings: PlanSettings,
    seen: Seen,
    calendars: Callable[[str | None], BusinessCalendar],
    recorded: tuple[Outcome, ...] = (),
) -> Interview | None:
    """The interview or application an event stands for; None when it is neither or is off."""
    kind = classify(event, settings)
    if kind is None or event.cancelled or is_declined(event, settings.me):
        return None
    zone = settings.zone
    start = event.start.astimezone(zone)
    if event.all_day:
        last_day = max(event.start.date(), event.end.date() - dt.timedelta(days=1))
        end = dt.datetime.combine(last_day, settings.business.close, zone)
    else:
        end = event.end.astimezone(zone)
    text = f"{event.summary}\n{event.description}"
    fields = read_fields(event.description)
    day = start.date()
    outcomes = [
        Outcome(m.kind, m.at if m.at is not None else seen.outcome(event.uid, m.kind))
        for m in find_outcomes(text, zone, day)
    ]
    outcomes.extend(recorded)
    contact = fields.contact
    if not (contact.name or contact.email) and event.organizer is not None:
        mine = {address.lower() for address in settings.me}
        if event.organizer.email.lower() not in mine and not event.organizer.is_me:
            contact = Contact(name=event.organizer.name, email=event.organizer.email, phone=contact.phone)
    return Interview(
        uid=event.uid,
        kind=kind,
        summary=event.summary,
        start=start,
        end=end,
        no_calls=has_no_calls(text),
        deadline=stated_deadline(without_outcome_lines(text), day, calendars(fields.region).add_business_days),
        outcomes=tuple(sorted(set(outcomes), key=lambda o: (o.at, o.kind.value))),
        contact=contact,
        company=fields.company,
        role=fields.role,
        region=fields.region,
        source=event.source,
    )
