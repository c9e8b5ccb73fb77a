"""Deterministic iCalendar text: escaping, folding, one VEVENT per follow-up (no library, so it is fast)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calsync.core.model import FollowUp
from calsync.core.links import due_before_card_link
from calsync.ics.redaction import strip_escapes

UTC = dt.timezone.utc
PRODID = "-//calsync//follow-ups//EN"
UID_DOMAIN = "calsync"


def escape_text(value: str) -> str:
    """RFC 5545 TEXT: no control characters (they are not allowed, and no terminal escape rides along), escaped."""
    value = strip_escapes(value)
    if not any(c in value for c in "\\;,\r\n"):
        return value
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    if line.isascii():
        return "\r\n ".join([line[:75], *(line[i:i + 74] for i in range(75, len(line), 74))]) + "\r\n"
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    limit = 75
    while data:
        cut = min(limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = 74  # continuation lines start with a space
    return "\r\n ".join(parts) + "\r\n"


def local(m: dt.datetime) -> str:
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


def stamp(moment: dt.datetime) -> str:
    return local(moment.astimezone(UTC)) + "Z"


def _fold_all(lines: list[str]) -> bytes:
    # Short ASCII lines need no folding; only the long ones pay for encoding twice.
    return "".join(line + "\r\n" if len(line) <= 75 and line.isascii() else fold(line) for line in lines).encode("utf-8")


@dataclass(frozen=True)
class FeedStyle:
    """Rendering choices that change every event's bytes."""

    alarm_minutes: int = 15
    todos: bool = False


def render_followup(f: FollowUp, sequence: int, changed_at: dt.datetime, done: bool, style: FeedStyle) -> bytes:
    """One VEVENT (and its VTODO twin when asked) as bytes; identical inputs give identical bytes."""
    zone = f.start.tzinfo.key  # type: ignore[union-attr]
    summary = ("✓ " if done else "") + f.summary
    description = due_before_card_link(f.description, f"Due: {f.due:%a %b %d %H:%M %Z}. Channel: {f.channel.value}.")
    if done:
        description = "Done.\n\n" + description
    uid = f"{f.id}@{UID_DOMAIN}"
    changed = stamp(changed_at)
    start, end = local(f.start), local(f.end)
    common = [
        f"DTSTAMP:{changed}",
        f"LAST-MODIFIED:{changed}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(f.kind.value)}",
        f"X-CALSYNC-KIND:{f.kind.value}",
        f"X-CALSYNC-INTERVIEW:{escape_text(f.interview)}",
        f"X-CALSYNC-CHANNEL:{f.channel.value}",
    ]
    lines = ["BEGIN:VEVENT", f"UID:{uid}", *common,
             f"DTSTART;TZID={zone}:{start}", f"DTEND;TZID={zone}:{end}",
             "STATUS:CONFIRMED", "TRANSP:TRANSPARENT", "CLASS:PRIVATE"]
    if style.alarm_minutes > 0 and not done:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-PT{style.alarm_minutes}M", f"DESCRIPTION:{escape_text(f.summary)}", "END:VALARM"]
    lines.append("END:VEVENT")
    if style.todos:
        lines += ["BEGIN:VTODO", f"UID:{f.id}-todo@{UID_DOMAIN}", *common,
                  f"DTSTART;TZID={zone}:{start}", f"DUE;TZID={zone}:{local(f.due)}",
                  f"STATUS:{'COMPLETED' if done else 'NEEDS-ACTION'}", "END:VTODO"]
    return _fold_all(lines)


def calendar_header(name: str, refresh_seconds: float) -> bytes:
    hours = max(1, round(refresh_seconds / 3600)) if refresh_seconds >= 3600 else 0
    minutes = max(1, round(refresh_seconds / 60))
    duration = f"PT{hours}H" if hours else f"PT{minutes}M"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"NAME:{escape_text(name)}", f"X-WR-CALNAME:{escape_text(name)}",
             f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]
    return "".join(fold(line) for line in lines).encode("utf-8")


CALENDAR_FOOTER = b"END:VCALENDAR\r\n"
