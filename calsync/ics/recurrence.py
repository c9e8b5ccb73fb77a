"""Recurring events expanded only inside a bounded window, with caps on steps and occurrences.

dateutil walks a rule from its DTSTART, and icalendar expands VTIMEZONE rules to year 9999:
a rule from year 1, or one with every BYHOUR/BYMINUTE/BYSECOND, takes minutes and gigabytes.
Here a rule's start is moved forward by whole periods to just before the window (which
keeps every occurrence inside it), its cost is estimated before anything is expanded, and
iteration stops at the window's end or at a cap.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
_PERIOD = {"YEARLY": 365.25, "MONTHLY": 30.44, "WEEKLY": 7.0, "DAILY": 1.0, "HOURLY": 1 / 24}
_BYDAY_SPREAD = {"YEARLY": 53, "MONTHLY": 5}
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


class EventProblem(ValueError):
    """One event cannot be used; the rest of the calendar still is."""


@dataclass(frozen=True)
class Window:
    begin: dt.datetime
    stop: dt.datetime


@dataclass
class Expansion:
    starts: list[dt.datetime | dt.date]  # occurrence starts inside the window, in the master's value type
    capped: str = ""  # why expansion stopped early, for a warning


def _one(parts: dict, key: str, default: object = None) -> object:
    values = parts.get(key) or []
    return values[0] if values else default


def per_period(parts: dict) -> int:
    """An upper bound of occurrences one period of the rule can make."""
    freq = str(_one(parts, "FREQ", "")).upper()
    count = 1
    for key in _EXPANDING:
        count *= max(1, len(parts.get(key) or ()))
    days = [str(d) for d in parts.get("BYDAY") or ()]
    if days:
        # "2SU" is one day per month (or year); a bare "SU" every week of the period.
        spread = 5 if freq == "MONTHLY" or (freq == "YEARLY" and parts.get("BYMONTH")) else _BYDAY_SPREAD.get(freq, 1)
        count *= sum(1 if d[:-2] else spread for d in days)
    return count


def rule_steps(parts: dict, first: dt.datetime, last: dt.datetime) -> int:
    """About how many occurrences dateutil yields walking the rule from ``first`` to ``last``."""
    freq = str(_one(parts, "FREQ", "")).upper()
    interval = max(1, int(_one(parts, "INTERVAL", 1)))  # type: ignore[call-overload]
    days = max(0.0, (last - first).total_seconds() / 86400)
    periods = math.ceil(days / (_PERIOD[freq] * interval)) + 1
    steps = periods * per_period(parts)
    count = _one(parts, "COUNT")
    return min(steps, int(count)) if count is not None else steps  # type: ignore[call-overload]


def check_rule(parts: dict) -> str:
    """The rule's frequency; EventProblem for a rule no calendar event should have."""
    freq = str(_one(parts, "FREQ", "")).upper()
    if freq in ("SECONDLY", "MINUTELY"):
        raise EventProblem(f"its recurrence FREQ={freq} is too frequent for an interview")
    if freq not in _PERIOD:
        raise EventProblem(f"its recurrence has no valid FREQ ({freq or 'none'})")
    if any(int(i) <= 0 for i in parts.get("INTERVAL") or [1]):
        raise EventProblem("its recurrence has INTERVAL=0")
    if parts.get("BYWEEKNO") and freq != "YEARLY":
        raise EventProblem(f"its recurrence uses BYWEEKNO with FREQ={freq} (only YEARLY allows it)")
    return freq


def _admits_a_day(parts: dict, first: dt.date, last: dt.date) -> bool:
    """Does any day in [first, last] pass the rule's day filters? (A superset of real matches.)"""
    months = {int(m) for m in parts.get("BYMONTH") or ()}
    monthdays = {int(d) for d in parts.get("BYMONTHDAY") or ()}
    yeardays = {int(d) for d in parts.get("BYYEARDAY") or ()}
    weekdays = {_WEEKDAYS.get(str(d).upper()[-2:], -1) for d in parts.get("BYDAY") or ()}
    if not (months or monthdays or yeardays or weekdays):
        return True
    day = first
    while day <= last:
        month_len = calendar.monthrange(day.year, day.month)[1]
        year_len = 366 if calendar.isleap(day.year) else 365
        yday = day.timetuple().tm_yday
        if ((not months or day.month in months)
                and (not monthdays or day.day in monthdays or day.day - month_len - 1 in monthdays)
                and (not yeardays or yday in yeardays or yday - year_len - 1 in yeardays)
                and (not weekdays or day.weekday() in weekdays)):
            return True
        day += dt.timedelta(days=1)
    return False


def _shift(start: dt.datetime, freq: str, interval: int, begin: dt.datetime) -> tuple[dt.datetime, int]:
    """``start`` moved forward by whole periods to before ``begin`` (same wall clock), and how many periods."""
    wall = start.replace(tzinfo=None)
    target = (begin.astimezone(start.tzinfo) if start.tzinfo else begin).replace(tzinfo=None)
    if wall >= target:
        return start, 0
    if freq in ("DAILY", "WEEKLY", "HOURLY"):
        step = dt.timedelta(days=interval * (7 if freq == "WEEKLY" else 1)) if freq != "HOURLY" else dt.timedelta(hours=interval)
        k = max(0, int((target - wall) / step) - 1)
        return (wall + k * step).replace(tzinfo=start.tzinfo), k
    months = interval * (12 if freq == "YEARLY" else 1)
    k = max(0, ((target.year - wall.year) * 12 + target.month - wall.month) // months - 1)
    for tried in range(k, max(-1, k - 500), -1):  # the same day must exist (Jan 31, Feb 29)
        year, month = divmod(wall.month - 1 + tried * months, 12)
        try:
            return wall.replace(year=wall.year + year, month=month + 1).replace(tzinfo=start.tzinfo), tried
        except ValueError:
            continue
    return start, 0


def _until(parts: dict, start: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    until = _one(parts, "UNTIL")
    if until is None:
        return None
    if not isinstance(until, dt.datetime):
        until = dt.datetime.combine(until, dt.time(23, 59, 59))  # type: ignore[arg-type]
        return until.replace(tzinfo=start.tzinfo) if start.tzinfo else until
    if start.tzinfo is None:
        return until.astimezone(zone).replace(tzinfo=None) if until.tzinfo else until
    return until if until.tzinfo else until.replace(tzinfo=start.tzinfo)


def expand_rule(parts: dict, start: dt.datetime, window: Window, zone: ZoneInfo, max_steps: int) -> tuple[list[dt.datetime], str]:
    """Occurrences of one RRULE inside the window; ``start`` is naive for all-day series."""
    from dateutil.rrule import rrulestr

    from icalendar.prop import vRecur

    freq = check_rule(parts)
    begin, stop = window.begin, window.stop
    if start.tzinfo is None:
        begin, stop = (m.astimezone(zone).replace(tzinfo=None) for m in (begin, stop))
    if not _admits_a_day(parts, (begin - dt.timedelta(days=1)).date(), (stop + dt.timedelta(days=1)).date()):
        return [], ""
    until = _until(parts, start, zone)
    if until is not None and until < begin:
        return [], ""
    count = _one(parts, "COUNT")
    plain = not any(parts.get(key) for key in (*_EXPANDING, "BYDAY", "BYSETPOS"))
    first = start
    if count is None or plain:
        first, skipped = _shift(start, freq, int(_one(parts, "INTERVAL", 1)), begin)  # type: ignore[call-overload]
        if count is not None:
            count = int(count) - skipped  # type: ignore[call-overload]
            if count <= 0:
                return [], ""
    steps = rule_steps({**parts, "COUNT": [count] if count is not None else []}, first, stop)
    if steps > max_steps:
        raise EventProblem(f"its recurrence rule would take about {steps:,} steps to expand (limit {max_steps:,})")
    rest = vRecur({k: v for k, v in parts.items() if k not in ("UNTIL", "COUNT")}).to_ical().decode()
    rule = rrulestr(rest, dtstart=first).replace(until=until, count=count)
    found: list[dt.datetime] = []
    for walked, moment in enumerate(rule):
        if moment > stop:
            break
        if walked >= max_steps:
            return found, f"stopped after {max_steps:,} steps"
        if moment >= begin:
            found.append(moment)
    return found, ""


_TZ_BLOCK = re.compile(rb"^BEGIN:(STANDARD|DAYLIGHT)\s*$(.*?)^END:\1", re.M | re.S | re.I)
_TZ_DTSTART = re.compile(rb"^DTSTART[^:\r\n]*:(\d{4})(\d{2})(\d{2})", re.M | re.I)
_TZ_RRULE = re.compile(rb"^RRULE[^:\r\n]*:([^\r\n]*)", re.M | re.I)


def zone_steps(raw: bytes) -> int:
    """About how many transitions icalendar computes for a VTIMEZONE (it expands every rule to 9999)."""
    from icalendar.prop import vRecur

    total = 0
    end = dt.datetime(9999, 12, 31)
    for block in _TZ_BLOCK.finditer(raw):
        body = block.group(2)
        for rrule in _TZ_RRULE.finditer(body):
            start_match = _TZ_DTSTART.search(body)
            try:
                parts = dict(vRecur.from_ical(rrule.group(1).decode("utf-8", "replace")))
                first = dt.datetime(*(int(g) for g in start_match.groups())) if start_match else dt.datetime(1, 1, 1)
                check_rule(parts)
                until = _one(parts, "UNTIL")
                last = min(end, dt.datetime.combine(until, dt.time()) if isinstance(until, dt.date) and not isinstance(until, dt.datetime)
                           else until.replace(tzinfo=None) if isinstance(until, dt.datetime) else end)
                total += rule_steps(parts, first, last)
            except (ValueError, TypeError, EventProblem):
                return 1 << 62  # a rule icalendar cannot expand sensibly either
    return total
