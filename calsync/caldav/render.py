"""Follow-ups as CalDAV resources: one VCALENDAR per VEVENT (and per VTODO twin), UIDs as in the feed."""
from __future__ import annotations

import datetime as dt
import re

from calsync.core.model import FollowUp
from calsync.ics.text import PRODID, FeedStyle, fold, render_followup
from calsync.ics.vtimezone import vtimezone

HASH_PROPERTY = "X-CALSYNC-HASH"
_HASH = re.compile(r"^X-CALSYNC-HASH:([0-9a-f]+)\r?$", re.MULTILINE)
_STATUS = re.compile(r"^STATUS:(.+?)\r?$", re.MULTILINE)


def _parts(f: FollowUp, sequence: int, changed_at: dt.datetime, done: bool, alarm_minutes: int) -> tuple[str, str]:
    text = render_followup(f, sequence, changed_at, done, FeedStyle(alarm_minutes, True)).decode("utf-8")
    event, todo = text.split("BEGIN:VTODO", 1)
    return _last_end(event), _last_end("BEGIN:VTODO" + todo)


def _last_end(component: str) -> str:
    """Put the hash mark just before the component's own END line (after any VALARM)."""
    head, _, tail = component.rpartition("END:")
    return head + "\x00END:" + tail


def render_event(f: FollowUp, sequence: int, changed_at: dt.datetime, done: bool, alarm_minutes: int, digest: str) -> str:
    """The VEVENT resource: the feed's event with its VALARM, plus the hash of what calsync wrote."""
    return _finish(_parts(f, sequence, changed_at, done, alarm_minutes)[0], f, digest)


def render_todo(f: FollowUp, sequence: int, changed_at: dt.datetime, done: bool, digest: str) -> str:
    """The VTODO twin: DUE is the follow-up's due, the same draft, UID as in the feed."""
    return _finish(_parts(f, sequence, changed_at, done, 0)[1], f, digest)


def _finish(component: str, f: FollowUp, digest: str) -> str:
    zone = f.start.tzinfo.key  # type: ignore[union-attr]
    body = component.replace("\x00END:", fold(f"{HASH_PROPERTY}:{digest}") + "END:")
    head = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\nCALSCALE:GREGORIAN\r\n"
    zone_text = vtimezone(zone, f.start.year - 1, f.due.year + 1).decode("utf-8")
    return head + zone_text + body + "END:VCALENDAR\r\n"


def written_hash(data: str) -> str:
    """The X-CALSYNC-HASH a resource carries: calsync wrote it (users' apps keep unknown properties); '' if none."""
    found = _HASH.search(data.replace("\r\n ", "").replace("\n ", ""))
    return found.group(1) if found else ""


def is_completed(data: str) -> bool:
    """A VTODO the user ticked off (STATUS:COMPLETED, or a COMPLETED date)."""
    unfolded = data.replace("\r\n ", "").replace("\n ", "")
    todo = unfolded[unfolded.find("BEGIN:VTODO"):]
    status = _STATUS.search(todo)
    return bool(status and status.group(1).strip().upper() == "COMPLETED") or re.search(r"^COMPLETED[:;]", todo, re.MULTILINE) is not None
