"""Parsed events kept across restarts, keyed by the calendar's bytes and the settings that shaped them."""
from __future__ import annotations

import datetime as dt
import json
from typing import Protocol

from calsync.core.model import Attendee, SourceEvent


class MetaStore(Protocol):
    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


def _person(a: Attendee) -> list[object]:
    return [a.email, a.name, a.partstat, a.is_me]


def encode_events(events: tuple[SourceEvent, ...]) -> list[list[object]]:
    return [[e.uid, e.summary, e.description, e.start.isoformat(), e.end.isoformat(), e.all_day, list(e.categories),
             e.cancelled, _person(e.organizer) if e.organizer else None, [_person(a) for a in e.attendees], e.color_id, e.source]
            for e in events]


def decode_events(rows: list[list[object]]) -> tuple[SourceEvent, ...]:
    return tuple(SourceEvent(
        uid=r[0], summary=r[1], description=r[2], start=dt.datetime.fromisoformat(r[3]), end=dt.datetime.fromisoformat(r[4]),  # type: ignore[arg-type]
        all_day=bool(r[5]), categories=tuple(r[6]), cancelled=bool(r[7]),  # type: ignore[arg-type]
        organizer=Attendee(*r[8]) if r[8] else None, attendees=tuple(Attendee(*a) for a in r[9]),  # type: ignore[misc,union-attr]
        color_id=r[10], source=r[11]) for r in rows)  # type: ignore[arg-type]


class EventCache:
    """One entry per source in the state's meta table: the key, the events and the warnings of the last parse."""

    def __init__(self, store: MetaStore, source: str) -> None:
        self.store, self.name = store, f"ics_events:{source}"

    def get(self, key: str) -> tuple[tuple[SourceEvent, ...], tuple[str, ...]] | None:
        try:
            entry = json.loads(self.store.get_meta(self.name) or "{}")
            if entry.get("key") != key:
                return None
            return decode_events(entry["events"]), tuple(entry["warnings"])
        except (ValueError, KeyError, TypeError, IndexError):
            return None  # an unreadable entry is only a missed shortcut

    def put(self, key: str, events: tuple[SourceEvent, ...], warnings: tuple[str, ...]) -> None:
        self.store.set_meta(self.name, json.dumps({"key": key, "events": encode_events(events), "warnings": list(warnings)}))
