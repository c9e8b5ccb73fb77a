"""Date expressions from recruiters' words ("by Friday", "within two weeks", "in 1-2 weeks").

Text is matched lower-cased with its whitespace collapsed to single spaces, so every pattern
is a fixed sequence of bounded pieces: matching is linear in the length of the text.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator

AddBusinessDays = Callable[[dt.date, int], dt.date]

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"),
        ]
    )
    for name in names
}
NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3,
}


def _alternatives(words: object) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # type: ignore[call-overload]


_MONTH = _alternatives(MONTHS)
_WEEKDAY = _alternatives(WEEKDAYS)
_NUM = r"\d{1,3}|" + _alternatives(NUMBERS)
_ORD = r"(?:st|nd|rd|th)?"
_TO = r"(?: ?[-–—] ?| to | or )"
_UNIT = r"business days?|working days?|calendar days?|days?|weeks?|hours?"

# One pattern, ordered alternatives: at each place the first that fits wins, matches never overlap.
_DATE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<iso>(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2}))(?![\w-])"
    rf"|(?P<md>(?P<md_mon>{_MONTH})\.? (?P<md_d>\d{{1,2}}){_ORD}(?![\w-])(?:,? (?P<md_y>\d{{4}})(?!\w))?)"
    rf"|(?P<dm>(?P<dm_d>\d{{1,2}}){_ORD} (?:of )?(?P<dm_mon>{_MONTH})(?!\w)\.?(?:,? (?P<dm_y>\d{{4}})(?!\w))?)"
    r"|(?P<fortnight>(?:within |in )(?:a |one )?week or two)(?!\w)"
    rf"|(?P<span>(?:within|in|over) (?:the next |the |about |around |approximately |roughly )?"
    rf"(?P<span_n>{_NUM})(?:{_TO}(?P<span_m>{_NUM}))? (?P<span_unit>{_UNIT}))(?!\w)"
    rf"|(?P<wd_next_week>(?:(?:by|on|until|till|before|after) )?(?P<wnw>{_WEEKDAY})\.? (?:of )?next week)(?!\w)"
    r"|(?P<end_next_week>(?:the )?end of next week)(?!\w)"
    r"|(?P<end_week>(?:the )?end of (?:the |this )?week|this week|eow)(?!\w)"
    r"|(?P<next_week>(?:early |later |sometime |some time )?next week)(?!\w)"
    r"|(?P<end_next_month>(?:the )?end of next month|next month)(?!\w)"
    r"|(?P<end_month>(?:the )?end of (?:the |this )?month|this month)(?!\w)"
    r"|(?P<tomorrow>tomorrow)(?!\w)"
    r"|(?P<wd>(?P<wd_prep>(?:by|on|until|till|til|before|than|this|coming|this coming|after)"
    r"(?: the)?(?: (?:end|close) of (?:business|day|play)(?: on)?| eod| cob)? )?"
    rf"(?P<wd_next>next )?(?P<wd_name>{_WEEKDAY})(?!\w)\.?)"
    r")"
)
_KINDS = ("iso", "md", "dm", "fortnight", "span", "wd_next_week", "end_next_week", "end_week", "next_week",
          "end_next_month", "end_month", "tomorrow", "wd")


def normalize(text: str) -> str:
    """Lower-case, whitespace runs collapsed to one space: what every pattern here expects."""
    return " ".join(text.lower().split())


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBERS[text]


def _friday_of_week(day: dt.date, weeks_ahead: int = 0) -> dt.date:
    monday = day - dt.timedelta(days=day.weekday())
    return monday + dt.timedelta(days=4 + 7 * weeks_ahead)


def _last_day_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_day(month: int, mday: int, year: str | None, start: dt.date) -> dt.date | None:
    """The date; without a year, the first such date on or after ``start``."""
    years = [int(year)] if year else range(start.year, start.year + 9)
    for y in years:
        try:
            candidate = dt.date(y, month, mday)
        except ValueError:
            continue
        if year or candidate >= start:
            return candidate
    return None


def _weekday_after(day: dt.date, target: int) -> dt.date:
    return day + dt.timedelta(days=(target - day.weekday() - 1) % 7 + 1)


def _resolve(kind: str, m: re.Match[str], day: dt.date, add_business_days: AddBusinessDays) -> dt.date | None:
    g = m.group
    try:
        if kind == "iso":
            return dt.date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        if kind == "md":
            return _month_day(MONTHS[g("md_mon")], int(g("md_d")), g("md_y"), day)
        if kind == "dm":
            return _month_day(MONTHS[g("dm_mon")], int(g("dm_d")), g("dm_y"), day)
    except ValueError:
        return None
    if kind == "fortnight":
        return day + dt.timedelta(weeks=2)
    if kind == "span":
        n = _number(g("span_m") or g("span_n"))  # a range counts by its later bound
        unit = g("span_unit")
        if unit.startswith(("business", "working")):
            return add_business_days(day, n) if n >= 1 else day
        if unit.startswith("week"):
            return day + dt.timedelta(weeks=n)
        if unit.startswith("hour"):
            return day + dt.timedelta(days=math.ceil(n / 24))
        return day + dt.timedelta(days=n)
    if kind == "wd_next_week":
        return _friday_of_week(day, 1) + dt.timedelta(days=WEEKDAYS[g("wnw")] - 4)
    if kind == "end_week":
        return _friday_of_week(day)
    if kind in ("next_week", "end_next_week"):
        return _friday_of_week(day, 1)
    if kind == "end_month":
        return _last_day_of_month(day.year, day.month)
    if kind == "end_next_month":
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return _last_day_of_month(year, month)
    if kind == "tomorrow":
        return day + dt.timedelta(days=1)
    target = WEEKDAYS[g("wd_name")]
    first = _weekday_after(day, target)
    if g("wd_next"):
        # "next Friday": the Friday of the following week, never earlier than "Friday".
        return max(first, _friday_of_week(day, 1) + dt.timedelta(days=target - 4))
    return first


def _kind(m: re.Match[str]) -> str:
    return next(k for k in _KINDS if m.group(k) is not None)


def find_dates(text: str, day: dt.date, add_business_days: AddBusinessDays) -> Iterator[dt.date]:
    """Every date expression in ``text`` (weekdays too, with or without "by"), resolved against ``day``."""
    for kind, m in date_matches(normalize(text)):
        resolved = _resolve(kind, m, day, add_business_days)
        if resolved is not None:
            yield resolved


_TOKEN = re.compile(r"[\w-]+")
# The words a date expression can begin with (besides digits): only there is the pattern tried.
_STARTS = frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(
    "within in over the end this next early later sometime some tomorrow eow by on until till til before than "
    "coming after".split()
)


def date_matches(clause: str, start: int = 0, stop: int | None = None) -> Iterator[tuple[str, re.Match[str]]]:
    """The date expressions of a normalized clause, with their kinds, left to right, never overlapping."""
    stop = len(clause) if stop is None else stop
    resume = start
    for token in _TOKEN.finditer(clause, start, stop):
        at = token.start()
        word = token.group()
        if at < resume or not (word[0].isdigit() or word in _STARTS):
            continue
        m = _DATE.match(clause, at, stop)
        if m is not None:
            yield _kind(m), m
            resume = m.end()


def resolve(kind: str, m: re.Match[str], day: dt.date, add_business_days: AddBusinessDays) -> dt.date | None:
    return _resolve(kind, m, day, add_business_days)


def is_bare_weekday(kind: str, m: re.Match[str]) -> bool:
    """A weekday with no "by", "on", "next"…: counts only right after the timeline phrase."""
    return kind == "wd" and not m.group("wd_prep") and not m.group("wd_next")
