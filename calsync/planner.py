"""Turn source events into a plan: the pure core wired to holiday data and what state remembers."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from calsync.core.business import BusinessCalendar
from calsync.core.detect import Seen, classify, is_declined, read_interview
from calsync.core.html_text import plain_text
from calsync.core.model import EventKind, Interview, Outcome, Plan, SourceEvent
from calsync.core.rules import plan_followups
from calsync.core.settings import PlanSettings
from calsync.core.suggest import SUGGEST_AT, Suggestion, assess
from calsync.errors import ConfigError
from calsync.config.holidays import holiday_source


class CalendarBook:
    """One BusinessCalendar per region, built once; an unknown region falls back with a warning."""

    def __init__(self, settings: PlanSettings) -> None:
        self.settings = settings
        self.warnings: list[str] = []
        self._calendars: dict[str, BusinessCalendar] = {}

    def __call__(self, region: str | None) -> BusinessCalendar:
        key = (region or self.settings.business.region).upper()
        found = self._calendars.get(key)
        if found is None:
            business = self.settings.business
            try:
                source = holiday_source(business.calendar, key)
            except ConfigError:
                self.warnings.append(f"Region: {key} is not a known region; using {business.region}")
                found = self(business.region)
                self._calendars[key] = found
                return found
            found = self._calendars[key] = BusinessCalendar(source, business.extra_holidays, business.extra_working_days)
        return found


def one_event_per_uid(events: Iterable[SourceEvent]) -> tuple[list[SourceEvent], dict[str, list[str]]]:
    """The first event of each UID (sources come in configuration order), and for each UID found
    in more than one source the names of the sources whose copies were left out."""
    first: dict[str, SourceEvent] = {}
    others: dict[str, list[str]] = {}
    for event in events:
        kept = first.setdefault(event.uid, event)
        if kept is not event and event.source != kept.source:
            others.setdefault(event.uid, [])
            if event.source not in others[event.uid]:
                others[event.uid].append(event.source)
    return list(first.values()), others


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    interviews: tuple[Interview, ...]
    warnings: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


def suggest(event: SourceEvent, settings: PlanSettings, decision: str | None) -> Suggestion | None:
    """The suggestion an untagged event makes under `match.auto` and the user's decision about it."""
    match = settings.match
    if match.auto == "off" or decision == "dismissed" or event.cancelled or is_declined(event, settings.me):
        return None
    found = assess(event, plain_text(event.description), settings.me)
    if found is None or (found.score < SUGGEST_AT and decision != "confirmed"):
        return None
    planned = decision == "confirmed" or (match.auto == "plan" and found.score >= match.auto_threshold)
    return Suggestion(event.uid, event.summary, event.start.astimezone(settings.zone), found.score, found.reasons, planned)


def build_plan(
    events: Iterable[SourceEvent],
    settings: PlanSettings,
    seen: Seen,
    recorded: Mapping[str, tuple[Outcome, ...]] | None = None,
    decisions: Mapping[str, str] | None = None,
) -> PlanResult:
    """Interviews read from the events, every follow-up the rules plan for them, and suggestions.

    ``decisions`` maps event ids to "confirmed" or "dismissed" (`calsync confirm` / `dismiss`).
    """
    book = CalendarBook(settings)
    recorded = recorded or {}
    interviews: list[Interview] = []
    unique, duplicates = one_event_per_uid(events)
    warnings: list[str] = []
    suggestions: list[Suggestion] = []
    for event in unique:
        interview = read_interview(event, settings, seen, book, recorded.get(event.uid, ()))
        if interview is None and classify(event, settings) is None:
            suggestion = suggest(event, settings, (decisions or {}).get(event.uid))
            if suggestion is not None:
                suggestions.append(suggestion)
                if suggestion.planned:
                    interview = read_interview(event, settings, seen, book, recorded.get(event.uid, ()), EventKind.INTERVIEW)
        if interview is not None:
            interviews.append(interview)
            if event.uid in duplicates:
                warnings.append(f"event {event.uid!r} is in several sources: planned once, from {event.source}; "
                                f"the copy in {', '.join(duplicates[event.uid])} is left out")
    plan = plan_followups(interviews, settings, book, seen.interview)
    return PlanResult(plan=plan, interviews=tuple(interviews), warnings=tuple(dict.fromkeys([*warnings, *book.warnings])),
                      suggestions=tuple(sorted(suggestions, key=lambda s: (s.start, s.event))))
