"""Which events are interviews or applications, and what their text says."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from calsync.core.business import BusinessCalendar
from calsync.core.directives import find_outcomes, has_no_calls, read_fields, without_outcome_lines
from calsync.core.html_text import plain_text
from calsync.core.model import Contact, EventKind, Interview, Outcome, OutcomeKind, Seen, SourceEvent
from calsync.core.settings import PlanSettings
from calsync.core.timeline import stated_deadline


def has_tag(text: str, tag: str) -> bool:
    """``tag`` in ``text`` as a whole token, ignoring case: ``#interview`` is not in ``#interview-prep``.

    Neither the character after it nor the one before it (if any) is a letter, digit, ``-`` or ``_``.
    """
    text, tag = text.lower(), tag.lower()
    start = text.find(tag)
    while start >= 0:
        after = start + len(tag)
        before_ok = start == 0 or not _token_char(text[start - 1])
        if before_ok and (after == len(text) or not _token_char(text[after])):
            return True
        start = text.find(tag, start + 1)
    return False


def _token_char(char: str) -> bool:
    return char.isalnum() or char in "-_"


def event_text(event: SourceEvent, description: str | None = None) -> str:
    """Summary and description as one text; an HTML description is read as its text."""
    return f"{event.summary}\n{plain_text(event.description) if description is None else description}"


def classify(event: SourceEvent, settings: PlanSettings, text: str | None = None) -> EventKind | None:
    """Interview, application or neither, by the matchers of ``[match]``."""
    match = settings.match
    text = event_text(event) if text is None else text
    if any(has_tag(text, tag) for tag in match.application_tags if tag):
        return EventKind.APPLICATION
    categories = {c.strip().lower() for c in event.categories}
    if (
        any(has_tag(text, tag) for tag in match.tags if tag)
        or any(c.lower() in categories for c in match.categories)
        or (match.color_ids and event.color_id in match.color_ids)
        or ((pattern := match.summary_pattern) is not None and pattern.search(event.summary))
    ):
        return EventKind.INTERVIEW
    return None


def is_declined(event: SourceEvent, me: tuple[str, ...]) -> bool:
    mine = {address.lower() for address in me}
    return any(a.partstat == "DECLINED" and (a.is_me or a.email.lower() in mine) for a in event.attendees)


def read_interview(
    event: SourceEvent,
    settings: PlanSettings,
    seen: Seen,
    calendars: Callable[[str | None], BusinessCalendar],
    recorded: tuple[Outcome, ...] = (),
    kind: EventKind | None = None,
) -> Interview | None:
    """The interview or application an event stands for; None when it is neither or is off.

    ``kind`` given (a confirmed suggestion) plans the event as that kind whatever its tags say.
    """
    description = plain_text(event.description)
    text = event_text(event, description)
    kind = classify(event, settings, text) if kind is None else kind
    if kind is None or event.cancelled or is_declined(event, settings.me):
        return None
    zone = settings.zone
    start = event.start.astimezone(zone)
    if event.all_day:
        last_day = max(event.start.date(), event.end.date() - dt.timedelta(days=1))
        end = dt.datetime.combine(last_day, settings.business.close, zone)
    else:
        end = event.end.astimezone(zone)
    fields = read_fields(description)
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
