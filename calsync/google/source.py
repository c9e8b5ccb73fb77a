"""Google Calendar as a source: incremental sync with sync tokens, a cache in state, never a wipe."""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from calsync.config import Config, SourceConfig
from calsync.core.model import Attendee, SourceEvent
from calsync.google.errors import FullSyncRequired, execute
from calsync.ics.fetch import Validators
from calsync.ics.source import Snapshot
from calsync.state import StateStore

log = logging.getLogger("calsync")
UTC = dt.timezone.utc
PAGE_SIZE = 250
OWNED_MARK = "calsync"


def _when(value: dict[str, str], zone: ZoneInfo) -> tuple[dt.datetime, bool]:
    if "dateTime" in value:
        moment = dt.datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or zone.key))
        return moment, False
    return dt.datetime.combine(dt.date.fromisoformat(value["date"]), dt.time(0, 0), zone), True


def _person(data: dict[str, Any]) -> Attendee:
    status = {"declined": "DECLINED", "accepted": "ACCEPTED", "tentative": "TENTATIVE"}.get(data.get("responseStatus", ""), "")
    return Attendee(email=data.get("email", ""), name=data.get("displayName", ""), partstat=status, is_me=bool(data.get("self")))


def to_source_event(item: dict[str, Any], zone: ZoneInfo, source: str) -> SourceEvent | None:
    """One listed event as a SourceEvent; None for calsync's own events and events without times."""
    if item.get("extendedProperties", {}).get("private", {}).get(OWNED_MARK) == "1":
        return None
    if "start" not in item:
        return None
    start, all_day = _when(item["start"], zone)
    end = _when(item["end"], zone)[0] if "end" in item else start + (dt.timedelta(days=1) if all_day else dt.timedelta(hours=1))
    uid = item.get("iCalUID") or item["id"]
    if item.get("recurringEventId") and "originalStartTime" in item:
        original, _ = _when(item["originalStartTime"], zone)
        uid = f"{uid}@{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return SourceEvent(
        uid=uid, summary=item.get("summary", ""), description=item.get("description", ""), start=start,
        end=end if end > start else start + dt.timedelta(hours=1), all_day=all_day,
        cancelled=item.get("status") == "cancelled",
        organizer=_person(item["organizer"]) if "organizer" in item else None,
        attendees=tuple(_person(a) for a in item.get("attendees", [])),
        color_id=str(item.get("colorId", "")), source=source,
    )


class GoogleSource:
    """events.list with singleEvents; the next sync token is stored only after the last page is applied."""

    def __init__(self, name: str, calendar_id: str, zone: ZoneInfo, store: StateStore, service: Callable[[], Any],
                 sleep_base: float = 1.0) -> None:
        self.name, self.calendar_id, self.zone, self.store = name, calendar_id, zone, store
        self._service_factory = service
        self._service: Any = None
        self.sleep_base = sleep_base

    def _api(self) -> Any:
        if self._service is None:
            self._service = self._service_factory()
        return self._service

    def _list_all(self, sync_token: str | None) -> tuple[list[dict[str, Any]], str]:
        events = self._api().events()
        items: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            params: dict[str, Any] = {"calendarId": self.calendar_id, "singleEvents": True, "maxResults": PAGE_SIZE}
            if sync_token:
                params["syncToken"] = sync_token
            if page:
                params["pageToken"] = page
            answer = execute(events.list(**params), idempotent=True, base_delay=self.sleep_base)
            items.extend(answer.get("items", []))
            page = answer.get("nextPageToken")
            if not page:
                return items, answer.get("nextSyncToken", "")

    def read(self, now: dt.datetime, validators: Validators = Validators()) -> Snapshot:
        token = self.store.get_meta(f"google_sync:{self.name}")
        full = not token
        try:
            items, next_token = self._list_all(token or None)
        except FullSyncRequired:
            log.info("source %s: sync token expired, listing the calendar again", self.name)
            items, next_token, full = *self._list_all(None), True
        upserts = [(i["id"], json.dumps(i, sort_keys=True)) for i in items if i.get("status") != "cancelled"]
        deletes = [i["id"] for i in items if i.get("status") == "cancelled"]
        self.store.apply_google_page_set(self.name, upserts, deletes, next_token, full)
        return self._snapshot()

    def restore(self, body: bytes | None, now: dt.datetime) -> Snapshot | None:
        return self._snapshot() if self.store.google_events(self.name) else None

    def _snapshot(self) -> Snapshot:
        events = []
        warnings = []
        for body in self.store.google_events(self.name):
            item = json.loads(body)
            try:
                event = to_source_event(item, self.zone, self.name)
            except (KeyError, ValueError) as exc:
                warnings.append(f"{self.name}: skipped event {item.get('id')!r} ({item.get('summary', '')}): {exc}")
                continue
            if event is not None:
                events.append(event)
        return Snapshot(tuple(events), tuple(warnings))


def make_google_source(source: SourceConfig, config: Config, store: StateStore) -> GoogleSource:
    from calsync.google.auth import SCOPE_READ_EVENTS, load_credentials
    from calsync.google.client import build_service

    return GoogleSource(source.name, source.calendar_id, config.plan.zone, store,
                        lambda: build_service(config, load_credentials(config, needs=[SCOPE_READ_EVENTS])))
