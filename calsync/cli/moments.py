"""Moments typed on the command line: ISO dates and the date phrases descriptions use ("yesterday", "Dec 4")."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from calsync.core.dates import WEEKDAYS, find_dates
from calsync.errors import UsageError

_TIME = re.compile(r"(?:^|\s+|T)(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$", re.IGNORECASE)
_WORDS = re.compile(r"^[a-z0-9 ,.]+$", re.IGNORECASE)
EXAMPLES = '"2026-12-04", "2026-12-04 15:30", "yesterday", "today 9:00", "Dec 4", "4 December 15:30", "friday"'


def parse_moment(text: str, zone: ZoneInfo, flag: str, now: dt.datetime | None = None) -> dt.datetime:
    """A moment in the user's zone. Phrases without a year mean the latest such day up to today."""
    raw = text.strip()
    iso = _iso(raw, zone)
    if iso is not None:
        return iso
    now = (now or dt.datetime.now(zone)).astimezone(zone)
    date_part, clock = _split_time(raw)
    day = _day(date_part.strip().lower().rstrip(","), now.date()) if len(date_part) <= 40 else None
    if day is None or clock is None:
        raise UsageError(f"{flag}: expected a date such as {EXAMPLES}; got {text!r}")
    if date_part.strip().lower() == "now":
        return now
    return dt.datetime.combine(day, clock, tzinfo=zone)


def _iso(raw: str, zone: ZoneInfo) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        return None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def _split_time(raw: str) -> tuple[str, dt.time | None]:
    """("yesterday", 15:30) from "yesterday 15:30"; a bare number is a day, not a time."""
    m = _TIME.search(raw)
    if m and (m.group("m") or m.group("ampm")) and m.start() > 0:
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        if m.group("ampm"):
            if not 1 <= hour <= 12:
                return raw, None
            hour = hour % 12 + (12 if m.group("ampm").lower() == "pm" else 0)
        if hour > 23 or minute > 59:
            return raw, None
        return raw[: m.start()], dt.time(hour, minute)
    return raw, dt.time(0, 0)


def _day(phrase: str, today: dt.date) -> dt.date | None:
    if phrase in ("now", "today"):
        return today
    if phrase == "yesterday":
        return today - dt.timedelta(days=1)
    if phrase in WEEKDAYS:
        return today - dt.timedelta(days=(today.weekday() - WEEKDAYS[phrase]) % 7)
    if not _WORDS.match(phrase) or not re.search(r"[a-z]", phrase):
        return None
    start = today - dt.timedelta(days=364)  # a date without a year: the latest one up to today
    found = list(find_dates(phrase, start, lambda day, n: day))
    if len(found) != 1 or re.search(r"\b(within|in|next|end|week|month|tomorrow|days?)\b", phrase):
        return None
    return found[0]
