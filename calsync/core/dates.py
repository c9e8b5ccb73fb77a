"""Date expressions from recruiters' words ("by Friday", "within two weeks"), relative to a day."""
from __future__ import annotations

import calendar
import datetime as dt
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
    "nine": 9, "ten": 10, "a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2,
}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_SPAN = r"(?:within|in)\s+(?:the\s+next\s+|about\s+|around\s+)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in [
        ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
        ("month_day", rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORD}\b(?:,?\s+(?P<y>\d{{4}})\b)?"),
        ("day_month", rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MONTH})\b\.?(?:,?\s+(?P<y>\d{{4}})\b)?"),
        ("business_days", rf"\b{_SPAN}(?P<n>{_NUM})\s+(?:business|working)\s+days?\b"),
        ("days", rf"\b{_SPAN}(?P<n>{_NUM})\s+(?:calendar\s+)?days?\b"),
        ("weeks", rf"\b{_SPAN}(?P<n>{_NUM})\s+weeks?\b"),
        ("end_of_next_week", r"\bend\s+of\s+next\s+week\b"),
        ("end_of_week", r"\b(?:end\s+of\s+(?:the\s+|this\s+)?week|this\s+week)\b"),
        ("next_week", r"\bnext\s+week\b"),
        ("end_of_next_month", r"\bend\s+of\s+next\s+month\b"),
        ("end_of_month", r"\b(?:end\s+of\s+(?:the\s+|this\s+)?month|this\s+month)\b"),
        ("tomorrow", r"\btomorrow\b"),
        ("weekday", rf"\b(?P<next>next\s+)?(?P<wd>{_WEEKDAY})\b\.?"),
    ]
]


def _number(text: str) -> int:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return int(text) if text.isdigit() else NUMBERS[text]


def _friday_of_week(day: dt.date, weeks_ahead: int = 0) -> dt.date:
    monday = day - dt.timedelta(days=day.weekday())
    return monday + dt.timedelta(days=4 + 7 * weeks_ahead)


def _last_day_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_day_on_or_after(month: int, day: int, start: dt.date) -> dt.date | None:
    for year in range(start.year, start.year + 9):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= start:
            return candidate
    return None


def _resolve(name: str, m: re.Match[str], day: dt.date, add_business_days: AddBusinessDays) -> dt.date | None:
    g = m.groupdict()
    if name == "iso":
        try:
            return dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
        except ValueError:
            return None
    if name in ("month_day", "day_month"):
        month, mday = MONTHS[g["mon"].lower()], int(g["d"])
        if g.get("y"):
            try:
                return dt.date(int(g["y"]), month, mday)
            except ValueError:
                return None
        return _month_day_on_or_after(month, mday, day)
    if name == "business_days":
        n = _number(g["n"])
        return add_business_days(day, n) if n >= 1 else day
    if name == "days":
        return day + dt.timedelta(days=_number(g["n"]))
    if name == "weeks":
        return day + dt.timedelta(weeks=_number(g["n"]))
    if name == "end_of_week":
        return _friday_of_week(day)
    if name in ("next_week", "end_of_next_week"):
        return _friday_of_week(day, 1)
    if name == "end_of_month":
        return _last_day_of_month(day.year, day.month)
    if name == "end_of_next_month":
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return _last_day_of_month(year, month)
    if name == "tomorrow":
        return day + dt.timedelta(days=1)
    if name == "weekday":
        target = WEEKDAYS[g["wd"].lower()]
        first = day + dt.timedelta(days=(target - day.weekday() - 1) % 7 + 1)
        if g.get("next"):
            # "next Friday": the Friday of the following week, never earlier than "Friday".
            return max(first, _friday_of_week(day, 1) + dt.timedelta(days=target - 4))
        return first
    raise AssertionError(name)


def find_dates(text: str, day: dt.date, add_business_days: AddBusinessDays) -> Iterator[dt.date]:
    """Every date expression in ``text``, resolved against ``day``; overlapping matches skipped."""
    taken: list[tuple[int, int]] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append(m.span())
            resolved = _resolve(name, m, day, add_business_days)
            if resolved is not None:
                yield resolved


_EXPLICIT = re.compile(
    r"^\s*(?:decision\s+by|deadline|hear\s+back\s+by|follow[\s-]*up\s+after)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_CLAUSE_SPLIT = re.compile(r"[\n;!?]|\.(?=\s+[A-Z])|\.\s*$")
_TRIGGER = re.compile(
    r"\b(?:touch|back|decisions?|decide[sd]?|deciding|hear|heard|respond|response|reply|news|update|"
    r"answer|know|timeline|expect|reach\s+out|contact|results?|next\s+steps|offer|notify|confirm)\b",
    re.IGNORECASE,
)


def stated_deadline(text: str, day: dt.date, add_business_days: AddBusinessDays) -> dt.date | None:
    """The recruiter's stated deadline: explicit lines win, else timeline phrases; the latest counts."""
    explicit = [d for m in _EXPLICIT.finditer(text) for d in find_dates(m.group("rest"), day, add_business_days)]
    if explicit:
        return max(explicit)
    found = [
        d
        for clause in _CLAUSE_SPLIT.split(text)
        if _TRIGGER.search(clause)
        for d in find_dates(clause, day, add_business_days)
    ]
    return max(found) if found else None
