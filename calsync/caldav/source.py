"""A CalDAV calendar as a source: sync-collection where the server has it, else ctag/ETag comparison; never a wipe."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from calsync.caldav.dav import Account, DavConnection, SyncTokenInvalid, SyncUnsupported
from calsync.config import Config, SourceConfig
from calsync.core.model import SourceEvent
from calsync.errors import SourceError
from calsync.ics.fetch import Validators
from calsync.ics.parse import IcsLimits, parse_calendar
from calsync.ics.source import Snapshot
from calsync.state import StateStore

log = logging.getLogger("calsync")
MULTIGET_CHUNK = 100
OWN_MARK = "X-CALSYNC-KIND"  # calsync's own follow-ups, if the sink calendar is also read


@dataclass
class Listing:
    """What calsync last accepted from the calendar: each resource's ETag and data, and where to sync on from."""

    mode: str = ""  # "sync" (RFC 6578) or "etag"
    token: str = ""
    ctag: str = ""
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (etag, data)

    def dump(self) -> bytes:
        return json.dumps({"v": 1, "mode": self.mode, "token": self.token, "ctag": self.ctag,
                           "items": {p: list(v) for p, v in sorted(self.items.items())}}, ensure_ascii=False).encode()

    @classmethod
    def load(cls, body: bytes | None) -> "Listing":
        if not body:
            return cls()
        try:
            data = json.loads(body)
            return cls(data["mode"], data["token"], data["ctag"], {p: (v[0], v[1]) for p, v in data["items"].items()})
        except (ValueError, KeyError, TypeError, IndexError):
            return cls()  # not ours (or damaged): list everything again


class CaldavSource:
    """Reads one calendar collection incrementally; the listing is kept in state only once a pass accepts it."""

    def __init__(self, name: str, url: str, connection: DavConnection, zone: ZoneInfo, store: StateStore,
                 limits: IcsLimits = IcsLimits()) -> None:
        self.name, self.url, self.connection, self.zone, self.store, self.limits = name, url, connection, zone, store, limits
        # path -> (etag, the day a series' window was taken on or None, events, warnings): only changed resources are parsed
        self._parsed: dict[str, tuple[str, dt.date | None, list[SourceEvent], list[str]]] = {}

    def read(self, now: dt.datetime, validators: Validators = Validators()) -> Snapshot:
        last = Listing.load(self.store.source_state(self.name)[2])
        listing = Listing(last.mode, last.token, last.ctag, dict(last.items))
        changed, removed = self._changes(listing)
        if not changed and not removed and last.items:
            return Snapshot(None)  # nothing new: the engine keeps the last good snapshot
        for path in removed:
            listing.items.pop(path, None)
        fetched = set()
        paths = sorted(changed)
        for start in range(0, len(paths), MULTIGET_CHUNK):
            for member in self.connection.multiget(self.url, paths[start:start + MULTIGET_CHUNK]):
                listing.items[member.path] = (member.etag or changed.get(member.path, ""), member.data or "")
                fetched.add(member.path)
        for path in set(paths) - fetched:  # listed, then gone before it could be read
            listing.items.pop(path, None)
        self._check_limits(listing)
        events, warnings = self._events(listing, now)
        return Snapshot(tuple(events), tuple(warnings), Validators(), listing.dump())

    def restore(self, body: bytes | None, now: dt.datetime) -> Snapshot | None:
        listing = Listing.load(body)
        if not listing.items:
            return None
        events, warnings = self._events(listing, now)
        return Snapshot(tuple(events), tuple(warnings))

    def _changes(self, listing: Listing) -> tuple[dict[str, str], set[str]]:
        """(path -> ETag of new or changed resources, removed paths); updates the listing's token or ctag."""
        if listing.mode != "etag":
            try:
                try:
                    result = self.connection.sync(self.url, listing.token if listing.mode == "sync" else "")
                except SyncTokenInvalid:
                    log.info("source %s: the server forgot the sync token; listing the calendar again", self.name)
                    result = self.connection.sync(self.url, "")
                    result.removed |= set(listing.items) - set(result.changed)
                    listing.token = ""
                if not listing.token:  # a full listing: anything not in it is gone
                    result.removed |= set(listing.items) - set(result.changed)
                listing.mode, listing.token = "sync", result.token
                changed = {p: e for p, e in result.changed.items() if listing.items.get(p, ("",))[0] != e or not e}
                return changed, {p for p in result.removed if p in listing.items}
            except SyncUnsupported as exc:
                log.info("source %s: no sync-collection (%s); comparing ETags instead", self.name, exc)
                listing.mode, listing.token = "etag", ""
        _, ctag = self.connection.collection_tag(self.url)
        if ctag and ctag == listing.ctag and listing.items:
            return {}, set()
        members = self.connection.members(self.url)
        listing.ctag = ctag
        changed = {p: e for p, e in members.items() if listing.items.get(p, ("",))[0] != e or not e}
        return changed, set(listing.items) - set(members)

    def _check_limits(self, listing: Listing) -> None:
        if len(listing.items) > self.limits.max_components:
            raise SourceError(f"{self.name}: {len(listing.items)} calendar objects, over the limit of {self.limits.max_components} (limits.max_components)")
        size = sum(len(data) for _, data in listing.items.values())
        if size > self.limits.max_bytes:
            raise SourceError(f"{self.name}: the calendar holds {size} bytes, over the limit of {self.limits.max_bytes} (limits.max_bytes)")

    def _events(self, listing: Listing, now: dt.datetime) -> tuple[list[SourceEvent], list[str]]:
        events: list[SourceEvent] = []
        warnings: list[str] = []
        for path in set(self._parsed) - set(listing.items):
            del self._parsed[path]
        for path, (etag, data) in sorted(listing.items.items()):
            if OWN_MARK in data:
                continue
            key = etag or hashlib.sha256(data.encode("utf-8")).hexdigest()
            cached = self._parsed.get(path)
            if cached is None or cached[0] != key or cached[1] not in (None, now.date()):
                cached = self._parse(path, key, data, now)
                self._parsed[path] = cached
            events.extend(cached[2])
            warnings.extend(cached[3])
        return events, warnings

    def _parse(self, path: str, key: str, data: str, now: dt.datetime) -> tuple[str, dt.date | None, list[SourceEvent], list[str]]:
        try:
            parsed = parse_calendar(data.encode("utf-8"), self.name, self.zone, now, self.limits)
        except SourceError as exc:
            return key, None, [], [f"{self.name}: skipped {path.rsplit('/', 1)[-1]}: {exc}"]
        return key, now.date() if parsed.series else None, list(parsed.events), list(parsed.warnings)


def source_account(source: SourceConfig, config: Config) -> Account:
    return Account(source.location, source.username, source.password_file, str(config.file.parent) if config.file else "")


def connect(account: Account, config: Config) -> DavConnection:
    return DavConnection(account, config.fetch.connect_timeout, config.fetch.total_timeout, config.fetch.max_redirects,
                         max_bytes=config.ics_limits.max_bytes)


def make_caldav_source(source: SourceConfig, config: Config, store: StateStore) -> CaldavSource:
    return CaldavSource(source.name, source.location, connect(source_account(source, config), config), config.plan.zone, store, config.ics_limits)
