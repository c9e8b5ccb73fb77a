"""What the event text tells: no calls, outcomes, contact, company, role, region."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calsync.core.dates import MONTHS
from calsync.core.model import Contact, OutcomeKind

_NO_CALLS = re.compile(r"\bno\s+(?:phone\s+)?calls\b|\bdo\s+not\s+call\b|\bdon['’]?t\s+call\b", re.IGNORECASE)
_OUTCOME_LINE = re.compile(
    r"^\s*outcome\s*:\s*(?P<kind>responded|rejected|form[\s_-]*rejection|offer|withdrawn)\b[\s,:-]*(?P<rest>.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_OUTCOME_TAG = re.compile(r"#(?P<kind>responded|rejected|form[_-]?rejection|offer|withdrawn)\b", re.IGNORECASE)
_FIELD = re.compile(r"^\s*(?P<key>contact|phone|company|role|region)\s*:\s*(?P<value>.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_NAME_EMAIL = re.compile(r"^(?P<name>.*?)\s*<\s*(?:mailto:)?(?P<email>[^<>\s]+@[^<>\s]+)\s*>$")
_EMAIL = re.compile(r"^(?:mailto:)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", re.IGNORECASE)
_ISO_STAMP = re.compile(r"^(?:on\s+)?(?P<date>\d{4}-\d{2}-\d{2})(?:[T\s](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?P<off>Z|[+-]\d{2}:?\d{2})?)?\b")
_MONTH_STAMP = re.compile(r"^(?:on\s+)?(?P<mon>[A-Za-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b")


@dataclass(frozen=True)
class OutcomeMention:
    """An outcome as written; ``at`` is None when the text gives no date."""

    kind: OutcomeKind
    at: dt.datetime | None


def has_no_calls(text: str) -> bool:
    return bool(_NO_CALLS.search(text))


def _outcome_time(rest: str, zone: ZoneInfo, interview_day: dt.date) -> dt.datetime | None:
    rest = rest.strip()
    m = _ISO_STAMP.match(rest)
    if m:
        try:
            day = dt.date.fromisoformat(m.group("date"))
            if not m.group("time"):
                return dt.datetime.combine(day, dt.time(0, 0), zone)
            clock = dt.time.fromisoformat(m.group("time").zfill(5) if len(m.group("time")) == 4 else m.group("time"))
            off = m.group("off")
            if off:
                stamp = dt.datetime.fromisoformat(f"{day.isoformat()}T{clock.isoformat()}{'+00:00' if off == 'Z' else off}")
                return stamp.astimezone(zone)
            return dt.datetime.combine(day, clock, zone)
        except ValueError:
            return None
    m = _MONTH_STAMP.match(rest)
    if m and m.group("mon").lower() in MONTHS:
        month, mday = MONTHS[m.group("mon").lower()], int(m.group("d"))
        years = [int(m.group("y"))] if m.group("y") else range(interview_day.year, interview_day.year + 2)
        for year in years:
            try:
                day = dt.date(year, month, mday)
            except ValueError:
                continue
            if m.group("y") or day >= interview_day:
                return dt.datetime.combine(day, dt.time(0, 0), zone)
    return None


def without_outcome_lines(text: str) -> str:
    """The text minus `Outcome:` lines, so their dates are never read as a stated timeline."""
    return _OUTCOME_LINE.sub("", text)


def find_outcomes(text: str, zone: ZoneInfo, interview_day: dt.date) -> list[OutcomeMention]:
    """`Outcome:` lines (optionally dated) and outcome tags, in order of appearance."""
    found: list[OutcomeMention] = []
    for m in _OUTCOME_LINE.finditer(text):
        found.append(OutcomeMention(OutcomeKind.parse(m.group("kind")), _outcome_time(m.group("rest"), zone, interview_day)))
    for m in _OUTCOME_TAG.finditer(text):
        found.append(OutcomeMention(OutcomeKind.parse(m.group("kind")), None))
    return found


@dataclass(frozen=True)
class Fields:
    contact: Contact
    company: str
    role: str
    region: str | None


def parse_contact(value: str) -> Contact:
    value = value.strip().strip('"')
    m = _NAME_EMAIL.match(value)
    if m:
        return Contact(name=m.group("name").strip().strip('"'), email=m.group("email"))
    if _EMAIL.match(value):
        return Contact(email=value.removeprefix("mailto:"))
    return Contact(name=value)


def read_fields(text: str) -> Fields:
    """`Contact:`, `Phone:`, `Company:`, `Role:` and `Region:` lines; the first of each wins."""
    values: dict[str, str] = {}
    for m in _FIELD.finditer(text):
        values.setdefault(m.group("key").lower(), m.group("value"))
    contact = parse_contact(values["contact"]) if "contact" in values else Contact()
    if "phone" in values:
        contact = Contact(name=contact.name, email=contact.email, phone=values["phone"])
    region = values.get("region", "").strip().upper() or None
    return Fields(contact=contact, company=values.get("company", ""), role=values.get("role", ""), region=region)
