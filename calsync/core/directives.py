"""What the event text tells: no calls, outcomes, contact, company, role, region.

Read line by line with anchored, bounded patterns and plain string operations, so the time
taken is linear in the length of the text whatever it holds (see issue 10).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calsync.core.dates import MONTHS
from calsync.core.model import Contact, OutcomeKind

_NO_CALLS = re.compile(r"(?<!\w)(?:no (?:phone )?calls|do not call|don['’]?t call)(?!\w)")
_OUTCOME_KINDS = r"responded|rejected|form[ _-]?rejection|offer|withdrawn"
_BULLETS = "-*•>· "  # list markers a line may open with ("- Outcome: rejected")
_OUTCOME_LINE = re.compile(rf"[-*•>· ]*outcome ?: ?(?P<kind>{_OUTCOME_KINDS})(?!\w)[ ,:-]*")
_OUTCOME_TAG = re.compile(r"(?<![\w#-])#(?P<kind>responded|rejected|form[_-]?rejection|offer|withdrawn)(?![\w-])")
_FIELD_KEYS = ("contact", "phone", "company", "role", "region")
_ISO_STAMP = re.compile(
    r"(?:on )?(?P<date>\d{4}-\d{2}-\d{2})(?:(?:[T ]|,? at )(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?: ?(?P<half>[ap])\.?m\b\.?)?(?P<off>Z|[+-]\d{2}:?\d{2})?)?(?!\d)",
    re.IGNORECASE,
)
_MONTH_STAMP = re.compile(r"(?:on )?(?P<mon>[A-Za-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,? (?P<y>\d{4}))?(?!\d)")
_ADDRESS_PART = re.compile(r"[^\s<>@\"]+")


def _lines(text: str) -> Iterator[str]:
    """Each line with its whitespace collapsed (one space between words, none at the ends)."""
    for line in text.splitlines():
        flat = " ".join(line.split())
        if flat:
            yield flat


@dataclass(frozen=True)
class OutcomeMention:
    """An outcome as written; ``at`` is None when the text gives no date."""

    kind: OutcomeKind
    at: dt.datetime | None


def has_no_calls(text: str) -> bool:
    lowered = text.lower()
    if "call" not in lowered:
        return False
    return any(_NO_CALLS.search(line) for line in _lines(lowered))


def _outcome_time(rest: str, zone: ZoneInfo, interview_day: dt.date) -> dt.datetime | None:
    m = _ISO_STAMP.match(rest)
    if m:
        try:
            day = dt.date.fromisoformat(m.group("date"))
            if not m.group("time"):
                return dt.datetime.combine(day, dt.time(0, 0), zone)
            clock = dt.time.fromisoformat(m.group("time").zfill(5) if len(m.group("time")) == 4 else m.group("time"))
            half = (m.group("half") or "").lower()
            if half and 1 <= clock.hour <= 12:  # "2:30 pm" is 14:30, "12:15 am" is 00:15
                clock = clock.replace(hour=clock.hour % 12 + (12 if half == "p" else 0))
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


def _outcome_line(flat: str) -> re.Match[str] | None:
    return _OUTCOME_LINE.match(flat.lower()) if flat.lstrip(_BULLETS)[:7].lower() == "outcome" else None


def without_outcome_lines(text: str) -> str:
    """The text minus `Outcome:` lines, so their dates are never read as a stated timeline."""
    return "\n".join(line for line in text.splitlines() if _outcome_line(" ".join(line.split())) is None)


def find_outcomes(text: str, zone: ZoneInfo, interview_day: dt.date) -> list[OutcomeMention]:
    """`Outcome:` lines (optionally dated) and outcome tags, in order of appearance."""
    lines_found: list[OutcomeMention] = []
    tags_found: list[OutcomeMention] = []
    for flat in _lines(text):
        m = _outcome_line(flat)
        if m is not None:
            at = _outcome_time(flat[m.end():], zone, interview_day)
            lines_found.append(OutcomeMention(OutcomeKind.parse(m.group("kind")), at))
        if "#" in flat:
            tags_found.extend(OutcomeMention(OutcomeKind.parse(t.group("kind")), None) for t in _OUTCOME_TAG.finditer(flat.lower()))
    return lines_found + tags_found


@dataclass(frozen=True)
class Fields:
    contact: Contact
    company: str
    role: str
    region: str | None


def _address(text: str) -> str | None:
    """``text`` as an e-mail address (``mailto:`` dropped), or None: one ``@``, a dotted domain."""
    address = text[7:] if text[:7].lower() == "mailto:" else text
    local, at, domain = address.partition("@")
    if not at or not _ADDRESS_PART.fullmatch(local) or not _ADDRESS_PART.fullmatch(domain):
        return None
    return address if "." in domain.strip(".") else None


def parse_contact(value: str) -> Contact:
    """``Name <email>``, a bare address, or a name."""
    value = value.strip().strip('"').strip()
    if value.endswith(">") and "<" in value:
        opening = value.rfind("<")
        inside = value[opening + 1:-1].strip()
        email = _address(inside[7:] if inside[:7].lower() == "mailto:" else inside)
        if email is not None:
            return Contact(name=value[:opening].strip().strip('"').strip(), email=email)
    # Otherwise the one word that is an address: "Jane Doe (jane@acme.example)", "Jane - jane@acme.example".
    words = value.split()
    for index, word in enumerate(words):
        email = _address(word.strip("()[]<>,;"))
        if email is not None:
            name = " ".join(words[:index] + words[index + 1:]).strip(" -–—,;:|/()[]\"")
            return Contact(name=name, email=email)
    return Contact(name=value)


def read_fields(text: str) -> Fields:
    """`Contact:`, `Phone:`, `Company:`, `Role:` and `Region:` lines; the first of each wins."""
    values: dict[str, str] = {}
    for flat in _lines(text):
        key, colon, value = flat.lstrip(_BULLETS).partition(":")
        key = key.rstrip().lower()
        if colon and key in _FIELD_KEYS and key not in values and value.strip():
            values[key] = value.strip()
    contact = parse_contact(values["contact"]) if "contact" in values else Contact()
    if "phone" in values:
        contact = Contact(name=contact.name, email=contact.email, phone=values["phone"])
    region = values.get("region", "").upper() or None
    return Fields(contact=contact, company=values.get("company", ""), role=values.get("role", ""), region=region)
