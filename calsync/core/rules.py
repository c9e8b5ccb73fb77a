"""The seven follow-up rules: interviews in, timed follow-ups out. Pure: ``now`` is a parameter."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from calsync.core.business import BusinessCalendar
from calsync.core.drafts import draft_fields, render_draft
from calsync.core.model import Channel, EventKind, FollowUp, Interview, Kind, OutcomeKind, Plan
from calsync.core.settings import PlanSettings

UTC = dt.timezone.utc
THANK_YOU_LENGTH = dt.timedelta(minutes=30)
TASK_LENGTH = dt.timedelta(minutes=15)
THANK_YOU_DELAY = dt.timedelta(minutes=30)
DAY = dt.timedelta(hours=24)
CHECK_INS = (Kind.CHECK_IN, Kind.SECOND_CHECK_IN, Kind.APPLICATION_FOLLOW_UP)


@lru_cache(maxsize=8192)
def at_local(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time in ``zone``, normalized (a time in a DST gap moves forward)."""
    return dt.datetime.combine(day, clock, zone).astimezone(UTC).astimezone(zone)


def elapsed(moment: dt.datetime, delta: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    """``moment`` plus absolute elapsed time (not wall-clock time), shown in ``zone``."""
    return (moment.astimezone(UTC) + delta).astimezone(zone)


class _Builder:
    def __init__(self, interview: Interview, settings: PlanSettings) -> None:
        self.interview = interview
        self.settings = settings
        self.zone = settings.zone
        self.fields = draft_fields(interview, settings.drafts)

    def make(self, kind: Kind, start: dt.datetime, length: dt.timedelta, due: dt.datetime, channel: Channel) -> FollowUp:
        summary, description = render_draft(kind, channel, self.interview, self.settings.drafts, self.fields)
        return FollowUp(
            kind=kind,
            interview=self.interview.uid,
            start=start,
            end=elapsed(start, length, self.zone),
            due=due,
            channel=channel,
            summary=summary,
            description=description,
            source=self.interview.source,
        )

    def task_on(self, kind: Kind, day: dt.date, channel: Channel) -> FollowUp:
        start = at_local(day, self.settings.rules.check_in_time, self.zone)
        return self.make(kind, start, TASK_LENGTH, at_local(day, self.settings.business.close, self.zone), channel)


def thank_you(interview: Interview, settings: PlanSettings, calendar: BusinessCalendar, build: _Builder) -> FollowUp:
    zone = settings.zone
    end = interview.end.astimezone(zone)
    if calendar.is_business_day(end.date()) and end.time() <= settings.cutoff:
        start = elapsed(end, THANK_YOU_DELAY, zone)
        # A cutoff set later than close - 1 h would make the note due before it is written: then it is
        # due when its half hour ends.
        due = max(at_local(end.date(), settings.business.close, zone), elapsed(start, THANK_YOU_LENGTH, zone))
    else:
        due = elapsed(end, DAY, zone)
        start = at_local(end.date() + dt.timedelta(days=1), settings.business.start, zone)
        if start > due:
            start = elapsed(end, THANK_YOU_DELAY, zone)
    return build.make(Kind.THANK_YOU, start, THANK_YOU_LENGTH, due, Channel.EMAIL)


def _interview_followups(interview: Interview, settings: PlanSettings, calendar: BusinessCalendar) -> list[FollowUp]:
    build = _Builder(interview, settings)
    rules = settings.rules
    day = interview.start.date()
    call_channel = Channel.EMAIL if interview.no_calls else rules.check_in_channel
    if interview.kind is EventKind.APPLICATION:
        planned = [
            build.task_on(
                Kind.APPLICATION_FOLLOW_UP,
                calendar.add_business_days(day, rules.application_wait_business_days),
                Channel.EMAIL,
            )
        ]
    else:
        if interview.deadline is not None:
            check_day = calendar.next_business_day(max(interview.deadline, day))
        else:
            check_day = calendar.add_business_days(day, rules.check_in_wait_business_days)
        second_day = calendar.add_business_days(check_day, rules.second_check_in_business_days)
        planned = [
            thank_you(interview, settings, calendar, build),
            build.task_on(Kind.CHECK_IN, check_day, call_channel),
            build.task_on(Kind.SECOND_CHECK_IN, second_day, call_channel),
        ]
    if interview.outcomes:
        first_outcome = min(o.at for o in interview.outcomes)
        planned = [f for f in planned if not (f.kind in CHECK_INS and f.start > first_outcome)]
        personal = [o for o in interview.outcomes if o.kind is OutcomeKind.REJECTED]
        if personal:
            # Never before the interview's own day, even for a rejection recorded early.
            rejected_on = max(personal[0].at.astimezone(settings.zone).date(), day)
            planned.append(build.task_on(Kind.FEEDBACK_REQUEST, calendar.next_business_day(rejected_on), Channel.EMAIL))
    return planned


def plan_followups(
    interviews: Iterable[Interview],
    settings: PlanSettings,
    calendars: Callable[[str | None], BusinessCalendar],
    first_seen: Callable[[str], dt.datetime],
) -> Plan:
    """Every follow-up the rules ask for; those already overdue when first seen are reported as missed."""
    planned: list[FollowUp] = []
    missed: list[FollowUp] = []
    for interview in interviews:
        seen = first_seen(interview.uid)
        for followup in _interview_followups(interview, settings, calendars(interview.region)):
            (missed if followup.due < seen else planned).append(followup)
    order = lambda f: (f.start, f.interview, f.kind.value)  # noqa: E731
    return Plan(followups=tuple(sorted(planned, key=order)), missed=tuple(sorted(missed, key=order)))
