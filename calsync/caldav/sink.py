"""A CalDAV calendar as a sink: one resource per follow-up, intent before each PUT, If-None-Match / If-Match, theirs wins."""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from calsync.caldav.dav import Account, CalendarRefused, DavConnection, Response, resource_path
from calsync.caldav.errors import ItemError, StorageFull, TimedOut
from calsync.caldav.render import is_completed, render_event, render_todo, written_hash
from calsync.config import Config
from calsync.errors import TransientError
from calsync.core.model import FollowUp
from calsync.core.reconcile import Action, Change, Observed, Ownership
from calsync.state import PublishedRow, StateStore

log = logging.getLogger("calsync")
SINK = "caldav"
TODO_SINK = "caldav-todo"
CALENDAR_META = "caldav_sink_calendar"
DEGRADED_META = "caldav_degraded"
USER_OWNED = (Ownership.USER_EDITED, Ownership.USER_DELETED)
CALDAV_NS = "{urn:ietf:params:xml:ns:caldav}"


class DataRefused(ItemError):
    """The server refused what calsync sent (a CalDAV precondition): retried next pass, never taken for a user's edit."""


class ComponentRefused(DataRefused):
    """The calendar does not take this kind of component (supported-calendar-component-set): skip that part this pass."""


def refusal(answer: Response, url: str) -> DataRefused | None:
    """The CalDAV precondition an error answer names (RFC 4791 1.3), if any: the server refused the data itself.

    Xandikos answers invalid calendar data with 412, which must not read as the user's version winning."""
    names = [p for p in answer.preconditions if p.startswith(CALDAV_NS)]
    detail = ""
    if answer.tree is not None:
        names += [el.tag for el in answer.tree.iter() if isinstance(el.tag, str) and el.tag.startswith(CALDAV_NS)]
        found = answer.tree.find(".//{DAV:}responsedescription") if answer.tree.tag != "{DAV:}responsedescription" else answer.tree
        detail = (found.text or "").strip()[:200] if found is not None else ""
    if not names:
        return None
    condition = names[0][len(CALDAV_NS):]
    kind = ComponentRefused if condition == "supported-calendar-component" else DataRefused
    return kind(answer.status, f"the server refused {url} (HTTP {answer.status}, {condition}{': ' + detail if detail else ''})")


@dataclass(frozen=True)
class _Part:
    """The VEVENT, or its VTODO twin: each has its own rows in state and its own resource."""

    sink: str
    collection: str
    suffix: str  # "" or "-todo"

    def url(self, fid: str) -> str:
        return f"{self.collection}{fid}{self.suffix}.ics"


def _intent(op: str, digest: str) -> bytes:
    return json.dumps({"op": op, "hash": digest}).encode()


def _intended(row: PublishedRow, op: str, digest: str) -> bool:
    try:
        return bool(row.payload) and json.loads(row.payload) == {"op": op, "hash": digest}
    except ValueError:
        return False


class CaldavSink:
    """Writes follow-ups into one calendar; never touches a resource it did not create, never rewrites a user's edit."""

    name = SINK

    def __init__(self, config: Config, store: StateStore, connection: DavConnection) -> None:
        self.config, self.store, self.connection = config, store, connection
        self.settings = config.caldav
        self.skipped: list[str] = []
        if not self.settings.todos:
            self.pull_done = None  # type: ignore[assignment]  # nothing to read back, so idle passes may skip planning

    @property
    def style_key(self) -> str:
        return f"caldav;alarm={self.settings.alarm_minutes};todos={self.settings.todos}"

    def _sinks(self) -> tuple[str, ...]:
        return (SINK, TODO_SINK) if self.settings.todos else (SINK,)

    def observed(self) -> dict[str, Observed]:
        """The event's row, merged with its twin's when tasks are on: a twin out of step asks for an update."""
        event_rows = self.store.published(SINK)
        if not self.settings.todos:
            return {fid: Observed(r.hash, r.sequence, Ownership(r.status)) for fid, r in event_rows.items()}
        todo_rows = self.store.published(TODO_SINK)
        merged: dict[str, Observed] = {}
        for fid in set(event_rows) | set(todo_rows):
            parts = [rows.get(fid) for rows in (event_rows, todo_rows)]
            first = next(r for r in parts if r is not None)
            live = [r for r in parts if r is None or Ownership(r.status) not in USER_OWNED]
            if not live:
                merged[fid] = Observed(first.hash, first.sequence, Ownership(first.status))
                continue
            states = {Ownership(r.status) if r is not None else None for r in live}
            hashes = {r.hash if r is not None else "" for r in live}
            sequence = max(r.sequence for r in parts if r is not None)
            if Ownership.MANAGED in states:
                merged[fid] = Observed(hashes.pop() if len(hashes) == 1 and states == {Ownership.MANAGED} else "", sequence, Ownership.MANAGED)
            elif Ownership.PENDING in states:
                merged[fid] = Observed(first.hash, sequence, Ownership.PENDING)
            else:
                merged[fid] = Observed(first.hash, sequence, Ownership.REMOVED)
        return merged

    def flush(self) -> bool:
        return False

    # -- where
    def _calendar(self) -> str:
        url = self.settings.calendar_url or self.store.get_meta(CALENDAR_META) or ""
        if not url:
            components = ("VEVENT", "VTODO") if self.settings.todos and not self.settings.todo_calendar_url else ("VEVENT",)
            url = self.connection.find_or_make_calendar(self.settings.calendar_name, components)
            self.store.set_meta(CALENDAR_META, url)
        return url if url.endswith("/") else url + "/"

    def _parts(self) -> list[_Part]:
        calendar = self._calendar()
        parts = [_Part(SINK, calendar, "")]
        if self.settings.todos:
            todo = self.settings.todo_calendar_url or calendar
            parts.append(_Part(TODO_SINK, todo if todo.endswith("/") else todo + "/", "-todo"))
        return parts

    # -- writing
    def apply(self, changes: list[Change], done: set[str], now: dt.datetime) -> None:
        if not changes:
            return
        try:
            parts = self._parts()
        except CalendarRefused as exc:  # until the user acts: one line, and `calsync status` shows it
            self._degrade(str(exc))
            return
        rows = {part.sink: self.store.published(part.sink) for part in parts}
        refused: set[str] = set()
        try:
            for change in changes:
                for part in parts:
                    if part.sink in refused:
                        continue
                    try:
                        self._apply_part(part, rows[part.sink].get(change.fid), change, done, now)
                    except ComponentRefused as exc:  # said once a pass, not once per follow-up
                        refused.add(part.sink)
                        self.skipped.append(f"{change.fid}: {exc}")
                        log.warning("CalDAV: %s does not take %s; %s", part.collection, *(
                            ("tasks (VTODO)", "set caldav.todo_calendar_url to a task list, or todos = false") if part.sink == TODO_SINK
                            else ("events (VEVENT)", "set caldav.calendar_url to a calendar that takes events")))
                    except ItemError as exc:
                        self.skipped.append(f"{change.fid}: {exc}")
                        log.warning("CalDAV: follow-up %s skipped: %s", change.fid[:8], exc)
        except StorageFull as exc:
            self._degrade(str(exc))
            return
        if self.store.get_meta(DEGRADED_META):
            log.info("CalDAV %s takes follow-ups again", self.connection.account.label)
            self.store.set_meta(DEGRADED_META, "")

    def _degrade(self, reason: str) -> None:
        """Logged once, shown by `calsync status` until a pass writes again; the feed goes on."""
        if self.store.get_meta(DEGRADED_META) != reason:
            log.warning("%s", reason)
            self.store.set_meta(DEGRADED_META, reason)

    def _row(self, part: _Part, change: Change, status: Ownership, *, digest: str, sequence: int, etag: str = "",
             payload: bytes | None = None) -> PublishedRow:
        f = change.followup
        return PublishedRow(part.sink, change.fid, f.interview if f else "", f.kind.value if f else "", digest, sequence,
                            status.value, etag, payload, f.start.isoformat() if f else "", f.due.isoformat() if f else "",
                            f.summary if f else "")

    def _once_then_retried(self, send: Callable[[], Response]) -> tuple[Response, bool]:
        """(answer, whether a retry gave it): after a failed first attempt, a 404 may be that attempt having landed."""
        retries, self.connection.retries = self.connection.retries, 0
        try:
            return send(), False
        except TransientError as exc:
            if isinstance(exc, TimedOut) or not retries:
                raise
        finally:
            self.connection.retries = retries
        self.connection.sleep(self.connection.base_delay)
        return send(), True

    def _keep(self, row: PublishedRow, now: dt.datetime, **changes: object) -> None:
        self.store.put_published(replace(row, **changes), now)  # type: ignore[arg-type]

    def _apply_part(self, part: _Part, row: PublishedRow | None, change: Change, done: set[str], now: dt.datetime) -> None:
        own = Ownership(row.status) if row is not None else None
        if own in USER_OWNED:
            return
        url = part.url(change.fid)
        if change.action is Action.DELETE:
            if row is not None and own in (Ownership.MANAGED, Ownership.PENDING):
                self._delete(part, row, url, now)
            return
        assert change.followup is not None
        if row is not None and own is Ownership.MANAGED and row.hash == change.hash:
            return  # this part is already up to date (its twin was not)
        sequence = 0 if row is None else row.sequence if own is Ownership.PENDING else row.sequence + 1
        body = self._render(part, change.followup, sequence, now, change.fid in done, change.hash)
        if row is None or own is not Ownership.MANAGED:
            self._create(part, change, sequence, url, body, now)
        else:
            self._update(part, row, change, sequence, url, body, now)

    def _render(self, part: _Part, f: FollowUp, sequence: int, now: dt.datetime, done: bool, digest: str) -> str:
        if part.sink == TODO_SINK:
            return render_todo(f, sequence, now, done, digest)
        return render_event(f, sequence, now, done, self.settings.alarm_minutes, digest)

    def _etag(self, url: str, answer_etag: str) -> str:
        return answer_etag or self.connection.etag_of(url)

    def _create(self, part: _Part, change: Change, sequence: int, url: str, body: str, now: dt.datetime) -> None:
        # Intent first: a crash after this point leads to a 412 on the retried create, never a twin.
        self.store.put_published(self._row(part, change, Ownership.PENDING, digest=change.hash, sequence=sequence,
                                           payload=_intent("create", change.hash)), now)
        answer = self.connection.put(url, body, create=True)
        if answer.status >= 400 and (refused := refusal(answer, url)):
            raise refused
        if answer.status in (200, 201, 204):
            self.store.put_published(self._row(part, change, Ownership.MANAGED, digest=change.hash, sequence=sequence,
                                               etag=self._etag(url, answer.etag)), now)
        elif answer.status == 412:  # something is already there: ours from before a crash, or not ours
            existing = self.connection.get(url)
            theirs = written_hash(existing.text) if existing.status == 200 else ""
            if theirs:  # calsync wrote it: adopt it; it is updated on the next pass if it differs
                self.store.put_published(self._row(part, change, Ownership.MANAGED, digest=theirs, sequence=sequence,
                                                   etag=existing.etag or self.connection.etag_of(url)), now)
            else:
                log.warning("CalDAV: %s holds something calsync did not write; calsync leaves it alone", url)
                self.store.put_published(self._row(part, change, Ownership.USER_EDITED, digest=change.hash, sequence=sequence), now)
        else:
            raise ItemError(answer.status, f"creating {url} answered HTTP {answer.status}")

    def _update(self, part: _Part, row: PublishedRow, change: Change, sequence: int, url: str, body: str, now: dt.datetime) -> None:
        row = replace(row, payload=_intent("update", change.hash))  # a retried PUT that finds its own write adopts it
        self._keep(row, now)
        answer = self.connection.put(url, body, create=False, etag=row.remote_etag)
        if answer.status >= 400 and (refused := refusal(answer, url)):
            raise refused
        if answer.status in (200, 201, 204):
            self.store.put_published(self._row(part, change, Ownership.MANAGED, digest=change.hash, sequence=sequence,
                                               etag=self._etag(url, answer.etag)), now)
        elif answer.status in (412, 404, 410):
            self._lost_race(part, row, change, sequence, url, now)
        else:
            raise ItemError(answer.status, f"updating {url} answered HTTP {answer.status}")

    def _lost_race(self, part: _Part, row: PublishedRow, change: Change, sequence: int, url: str, now: dt.datetime) -> None:
        """The resource is not as calsync left it: its own write that landed before a crash, or the user's doing."""
        existing = self.connection.get(url)
        if existing.status == 200 and _intended(row, "update", change.hash) and written_hash(existing.text) == change.hash:
            etag = existing.etag or self.connection.etag_of(url)
            self.store.put_published(self._row(part, change, Ownership.MANAGED, digest=change.hash, sequence=sequence, etag=etag), now)
            return
        ownership = Ownership.USER_EDITED if existing.status == 200 else Ownership.USER_DELETED
        self._keep(row, now, status=ownership.value, payload=None)
        log.info("CalDAV: follow-up %s was %s by the user; calsync leaves it alone", change.fid[:8],
                 "edited" if ownership is Ownership.USER_EDITED else "deleted")

    def _delete(self, part: _Part, row: PublishedRow, url: str, now: dt.datetime) -> None:
        etag = row.remote_etag
        if Ownership(row.status) is Ownership.PENDING:  # a create that may have landed: delete it only if it is ours
            existing = self.connection.get(url)
            if existing.status != 200 or written_hash(existing.text) != row.hash:
                self._keep(row, now, status=Ownership.REMOVED.value, payload=None)
                return
            etag = existing.etag or self.connection.etag_of(url)
        self._keep(row, now, payload=_intent("delete", row.hash))
        answer, retried = self._once_then_retried(lambda: self.connection.delete(url, etag))
        if answer.status >= 400 and (refused := refusal(answer, url)):
            raise refused
        ours = retried or (_intended(row, "delete", row.hash) and row.payload)  # an earlier attempt may have landed
        if answer.status in (200, 204) or (answer.status in (404, 410) and ours):
            self._keep(row, now, status=Ownership.REMOVED.value, sequence=row.sequence + 1, payload=None)
        elif answer.status in (404, 410):
            self._keep(row, now, status=Ownership.USER_DELETED.value, payload=None)
        elif answer.status == 412:
            self._keep(row, now, status=Ownership.USER_EDITED.value, payload=None)
            log.info("CalDAV: follow-up %s was edited by the user; it is theirs now and stays", row.fid[:8])
        else:
            raise ItemError(answer.status, f"deleting {url} answered HTTP {answer.status}")

    # -- tasks that report back
    def pull_done(self, now: dt.datetime) -> list[str]:
        """Follow-ups whose VTODO the user ticked off: recorded as done (like `calsync done`); the VTODO stays theirs."""
        if not self.settings.todos:
            return []
        rows = {fid: r for fid, r in self.store.published(TODO_SINK).items() if r.status == Ownership.MANAGED.value}
        if not rows:
            return []
        collection = next(p for p in self._parts() if p.sink == TODO_SINK).collection
        members = self.connection.members(collection)
        paths = {resource_path(collection, _Part(TODO_SINK, collection, "-todo").url(fid)): fid for fid in rows}
        changed = [path for path, fid in paths.items() if path in members and members[path] != rows[fid].remote_etag]
        completed = []
        for member in self.connection.multiget(collection, changed):
            fid = paths.get(member.path)
            if fid is None or not member.data or not is_completed(member.data):
                continue
            self.store.mark_done(fid, now)
            self._keep(rows[fid], now, status=Ownership.USER_EDITED.value, remote_etag=member.etag, payload=None)
            completed.append(fid)
            log.info("CalDAV: follow-up %s ticked off in a task app; recorded as done", fid[:8])
        return completed


def sink_account(config: Config) -> Account:
    caldav = config.caldav
    return Account(caldav.url or caldav.calendar_url, caldav.username, caldav.password_file, str(config.file.parent) if config.file else "")


def make_caldav_sink(config: Config, store: StateStore) -> CaldavSink:
    from calsync.caldav.source import connect

    return CaldavSink(config, store, connect(sink_account(config), config))

