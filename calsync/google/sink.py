"""Google Calendar as a sink: deterministic IDs, intent before each write, If-Match, batched writes."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from calsync.config import Config
from calsync.core.model import FollowUp
from calsync.core.reconcile import Action, Change, Observed, Ownership
from calsync.errors import AuthError, CalsyncError, TransientError
from calsync.google.errors import FullSyncRequired, ItemError, backoff, classify, execute
from calsync.state import PublishedRow, StateStore
from calsync.core.links import due_before_card_link

log = logging.getLogger("calsync")
SINK = "google"
BATCH_SIZE = 50
ROUNDS = 4
CALENDAR_DESCRIPTION = "Follow-ups planned by calsync. calsync only changes the events it created."
NOTE_KEY = "google_sink_note"  # one line for `calsync status`
NO_ANSWER = "got no answer"  # the note of a calendar creation that may have left a twin; shown until a later healthy pass


class _CalendarGone(Exception):
    """calsync's calendar was deleted by the user: every write to it gets 404."""


@dataclass(frozen=True)
class _Write:
    change: Change
    method: str  # insert | restore | patch | delete


class GoogleCalendarSink:
    """Writes follow-ups as events; never touches an event it did not create, never rewrites a user's edit."""

    name = SINK
    style_key = "google"

    def __init__(self, config: Config, store: StateStore, service: Callable[[], Any], sleep: Callable[[float], None] = time.sleep,
                 base_delay: float = 1.0) -> None:
        self.config, self.store = config, store
        self._service_factory, self._service = service, None
        self.sleep, self.base_delay = sleep, base_delay
        self.calendar_id = config.google.sink_calendar_id or store.get_meta("google_sink_calendar") or ""
        self.skipped: list[str] = []
        self._events: Any = None
        self._noted_this_pass = False
        self.can_list_calendars = False  # set from the granted scopes: calendarList needs more than calsync asks for

    def _api(self) -> Any:
        if self._service is None:
            self._service = self._service_factory()
            self._events = self._service.events()  # one discovery Resource for every write: rebuilding it is costly
        return self._service

    def _events_api(self) -> Any:
        self._api()
        return self._events

    def observed(self) -> dict[str, Observed]:
        return {fid: Observed(r.hash, r.sequence, Ownership(r.status)) for fid, r in self.store.published(SINK).items()}

    def flush(self) -> bool:
        """After a pass whose writes went through: a "got no answer" note of an earlier pass has been seen; it clears."""
        if self._noted_this_pass:
            self._noted_this_pass = False
        elif NO_ANSWER in (self.store.get_meta(NOTE_KEY) or ""):
            self.store.set_meta(NOTE_KEY, "")
        return False

    def _ensure_calendar(self) -> str:
        """calsync's own calendar: the stored ID, else (with wide access only) a twin found by its description, else a new one.

        The ID is stored from the insert's answer. A creation whose answer never came (a kill, a timeout, a 5xx) is
        simply tried again: at worst one empty twin that calsync cannot see with calendar.app.created, so it says so.
        """
        if self.calendar_id:
            return self.calendar_id
        api = self._api()
        unsure = bool(self.store.get_meta("google_sink_calendar_creating"))
        if unsure and self.can_list_calendars:
            self.calendar_id = self._find_own_calendar(api)
        if not self.calendar_id:
            if unsure:
                note = (f"an earlier attempt to create the Google calendar {self.config.google.sink_calendar_name!r} {NO_ANSWER}; "
                        "if Google Calendar shows two of them, delete the empty one")
                log.warning("Google: %s", note)
                self.store.set_meta(NOTE_KEY, note)
                self._noted_this_pass = True
            self.store.set_meta("google_sink_calendar_creating", "1")
            body = {"summary": self.config.google.sink_calendar_name, "description": CALENDAR_DESCRIPTION,
                    "timeZone": self.config.plan.zone.key}
            self.calendar_id = execute(api.calendars().insert(body=body), idempotent=False, base_delay=self.base_delay)["id"]
        self.store.set_meta("google_sink_calendar", self.calendar_id)
        self.store.set_meta("google_sink_calendar_creating", "")
        return self.calendar_id

    def _find_own_calendar(self, api: Any) -> str:
        """Every page of the calendar list (only with a scope that may read it): calsync's calendar, if there."""
        page: str | None = None
        while True:
            listing = execute(api.calendarList().list(**({"pageToken": page} if page else {})), idempotent=True,
                              base_delay=self.base_delay)
            for item in listing.get("items", []):
                if item.get("description") == CALENDAR_DESCRIPTION:
                    return str(item["id"])
            page = listing.get("nextPageToken")
            if not page:
                return ""

    def _calendar_gone(self, calendar: str) -> bool:
        """After a 404: is calsync's calendar itself gone (deleted by the user)?"""
        if self.config.google.sink_calendar_id:
            return False  # the user's own calendar: calsync never recreates it
        try:
            execute(self._api().calendars().get(calendarId=calendar), idempotent=True, base_delay=self.base_delay)
            return False
        except ItemError as exc:
            return exc.status in (404, 410)

    def _recreate_calendar(self, now: dt.datetime) -> None:
        """The user deleted calsync's calendar: a new one next pass, with every follow-up but those the user deleted."""
        note = (f"the Google calendar {self.config.google.sink_calendar_name!r} was deleted; calsync made a new one "
                "(follow-ups you deleted stay deleted)")
        log.warning("Google: %s", note)
        self.store.set_meta(NOTE_KEY, f"{now.isoformat(timespec='minutes')} {note}")
        self.store.forget_published(SINK, keep=Ownership.USER_DELETED.value)
        self.store.set_meta("google_sink_calendar", "")
        self.calendar_id = ""
        self._ensure_calendar()

    def body(self, f: FollowUp, digest: str, done: bool) -> dict[str, Any]:
        zone = self.config.plan.zone.key
        event: dict[str, Any] = {
            "id": f.id,
            "summary": ("✓ " if done else "") + f.summary,
            "description": due_before_card_link(f.description, f"Due: {f.due:%a %b %d %H:%M %Z}. Channel: {f.channel.value}."),
            "start": {"dateTime": f.start.isoformat(), "timeZone": zone},
            "end": {"dateTime": f.end.isoformat(), "timeZone": zone},
            "transparency": "transparent",
            "status": "confirmed",
            "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": m} for m in self.config.google.reminder_minutes]},
            "extendedProperties": {"private": {"calsync": "1", "calsync_kind": f.kind.value, "calsync_interview": f.interview[:900],
                                               "calsync_hash": digest}},
        }
        if self.config.google.color_id:
            event["colorId"] = self.config.google.color_id
        return event

    def _row(self, change: Change, status: Ownership, etag: str = "", digest: str | None = None) -> PublishedRow:
        f = change.followup
        return PublishedRow(SINK, change.fid, f.interview if f else "", f.kind.value if f else "", digest if digest is not None else change.hash,
                            change.sequence, status.value, etag, None, f.start.isoformat() if f else "", f.due.isoformat() if f else "",
                            f.summary if f else "")

    def apply(self, changes: list[Change], done: set[str], now: dt.datetime) -> None:
        if not changes:
            return
        observed = self.observed()
        calendar = self._ensure_calendar()
        rows = self.store.published(SINK)
        writes: list[_Write] = []
        for change in changes:
            seen = observed.get(change.fid)
            if change.action is Action.DELETE:
                writes.append(_Write(change, "delete"))
            elif change.action is Action.UPDATE:
                writes.append(_Write(change, "patch"))
            elif seen is not None and seen.ownership is Ownership.REMOVED:
                writes.append(_Write(change, "restore"))
            else:
                writes.append(_Write(change, "insert"))
        # Intent first: a crash after this point can only lead to a 409 on the retried insert, never a twin.
        intents = [self._row(w.change, Ownership.PENDING) for w in writes if w.method == "insert"]
        if intents:
            self.store.put_many(intents, now)
        try:
            self._send_all(calendar, writes, rows, done, now)
        except _CalendarGone:
            self._recreate_calendar(now)

    def _send_all(self, calendar: str, writes: list[_Write], rows: dict[str, PublishedRow], done: set[str], now: dt.datetime) -> None:
        pending = writes
        for attempt in range(ROUNDS):
            retry: list[_Write] = []
            for start in range(0, len(pending), BATCH_SIZE):
                retry.extend(self._send_batch(calendar, pending[start:start + BATCH_SIZE], rows, done, now))
            if not retry:
                return
            delay = backoff(attempt, self.base_delay)
            log.info("Google Calendar rate-limited %d writes; retrying in %.1f s", len(retry), delay)
            self.sleep(delay)
            pending = retry
        log.warning("Google Calendar: %d writes still failing; they are retried on the next pass", len(pending))

    def _request(self, calendar: str, write: _Write, rows: dict[str, PublishedRow], done: set[str]) -> Any:
        events = self._events_api()
        change = write.change
        if write.method == "delete":
            request = events.delete(calendarId=calendar, eventId=change.fid)
        else:
            assert change.followup is not None
            body = self.body(change.followup, change.hash, change.fid in done)
            if write.method == "insert":
                request = events.insert(calendarId=calendar, body=body)
            elif write.method == "restore":
                request = events.update(calendarId=calendar, eventId=change.fid, body=body)
            else:
                body.pop("id")
                request = events.patch(calendarId=calendar, eventId=change.fid, body=body)
        etag = rows[change.fid].remote_etag if change.fid in rows else ""
        if write.method in ("patch", "delete") and etag:
            request.headers["If-Match"] = etag
        return request

    def _send_batch(self, calendar: str, writes: list[_Write], rows: dict[str, PublishedRow], done: set[str], now: dt.datetime) -> list[_Write]:
        from calsync.google.client import new_batch

        results: dict[str, tuple[Any, BaseException | None]] = {}
        batch = new_batch(self._api(), self.config, lambda rid, response, exc: results.__setitem__(rid, (response, exc)))
        for i, write in enumerate(writes):
            batch.add(self._request(calendar, write, rows, done), request_id=str(i))
        try:
            batch.execute(http=self._api()._http)
        except Exception as exc:  # the whole batch failed: map it once
            mapped = classify(exc)
            if isinstance(mapped, TransientError):
                return writes
            raise mapped from None
        landed: list[PublishedRow] = []
        failed: list[tuple[_Write, CalsyncError]] = []
        retry: list[_Write] = []
        for i, write in enumerate(writes):
            response, exc = results.get(str(i), (None, TransientError("no answer in the batch")))
            if exc is None:
                landed.append(self._landed_row(write, response))
                continue
            mapped = classify(exc)
            if isinstance(mapped, TransientError):
                retry.append(write)
            else:
                failed.append((write, mapped))
        if landed:
            self._record(landed, now)
        for write, error in failed:
            if isinstance(error, AuthError):
                raise error
        if any(getattr(error, "status", 0) == 404 for _, error in failed) and self._calendar_gone(calendar):
            raise _CalendarGone(calendar)
        for write, error in failed:
            self._item_failed(calendar, write, error, now)
        return retry

    def _record(self, rows: list[PublishedRow], now: dt.datetime) -> None:
        self.store.put_many(rows, now)  # the whole batch's results in one transaction

    def _landed_row(self, write: _Write, response: Any) -> PublishedRow:
        if write.method == "delete":
            return self._row(write.change, Ownership.REMOVED)
        return self._row(write.change, Ownership.MANAGED, (response or {}).get("etag", ""))

    def _fetch(self, calendar: str, fid: str) -> dict[str, Any] | None:
        try:
            return execute(self._api().events().get(calendarId=calendar, eventId=fid), idempotent=True, base_delay=self.base_delay)
        except (ItemError, FullSyncRequired):
            return None

    def _item_failed(self, calendar: str, write: _Write, error: CalsyncError, now: dt.datetime) -> None:
        change, status = write.change, getattr(error, "status", 0)
        if write.method == "insert" and status == 409:
            existing = self._fetch(calendar, change.fid)
            if existing is None or existing.get("status") == "cancelled":
                self.store.put_published(self._row(change, Ownership.USER_DELETED), now)  # deleted by the user: never again
            elif existing.get("extendedProperties", {}).get("private", {}).get("calsync") == "1":
                # Our own insert that landed before a crash; adopt it, update next pass if it differs.
                stored = existing["extendedProperties"]["private"].get("calsync_hash", "")
                self.store.put_published(self._row(change, Ownership.MANAGED, existing.get("etag", ""), stored), now)
            else:
                log.warning("Google: event ID %s belongs to another application; follow-up skipped", change.fid)
            return
        if status in (412, 404, 410) and write.method in ("patch", "delete", "restore"):
            existing = self._fetch(calendar, change.fid)
            gone = existing is None or existing.get("status") == "cancelled"
            ownership = Ownership.USER_DELETED if gone else Ownership.USER_EDITED
            self.store.put_published(self._row(change, ownership, existing.get("etag", "") if existing else ""), now)
            log.info("Google: follow-up %s was %s by the user; calsync leaves it alone", change.fid[:8],
                     "deleted" if ownership is Ownership.USER_DELETED else "edited")
            return
        self.skipped.append(f"{change.fid}: {error}")
        log.warning("Google: follow-up %s skipped: %s", change.fid[:8], error)


def make_google_sink(config: Config, store: StateStore) -> GoogleCalendarSink:
    from calsync.google.auth import SCOPE_CALENDAR, SCOPE_CALENDAR_READONLY, granted_scopes, load_credentials, sink_scopes
    from calsync.google.client import build_service

    def service() -> Any:
        credentials = load_credentials(config, needs=sink_scopes(config), calendar_exists=bool(sink.calendar_id))
        sink.can_list_calendars = bool({SCOPE_CALENDAR, SCOPE_CALENDAR_READONLY} & set(granted_scopes(credentials) or ()))
        return build_service(config, credentials)

    sink = GoogleCalendarSink(config, store, service)
    return sink
