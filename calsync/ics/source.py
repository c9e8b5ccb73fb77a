"""An .ics file or URL as a source of SourceEvents."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from calsync.core.model import SourceEvent
from calsync.errors import SourceError
from calsync.ics.cache import EventCache
from calsync.ics.fetch import FetchResult, Validators, fetch_url
from calsync.ics.parse import IcsLimits, parse_calendar
from calsync.ics.prefilter import EventFilter


@dataclass(frozen=True)
class Snapshot:
    """What one read of a source gave; ``events`` is None when nothing changed (HTTP 304)."""

    events: tuple[SourceEvent, ...] | None
    warnings: tuple[str, ...] = ()
    validators: Validators = field(default_factory=Validators)
    body: bytes | None = None  # the raw calendar, kept as the last good snapshot


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


class IcsSource:
    """Reads one calendar file or URL; conditional GET for URLs."""

    def __init__(self, name: str, location: str, zone: ZoneInfo, limits: IcsLimits,
                 connect_timeout: float = 10.0, total_timeout: float = 60.0, max_redirects: int = 5,
                 keep: EventFilter | None = None) -> None:
        self.name, self.location, self.zone, self.limits, self.keep = name, location, zone, limits, keep
        self._timeouts = (connect_timeout, total_timeout, max_redirects)
        # The last parse: digest of its bytes, the day its window depends on (None: no series), its validators.
        self._parsed: tuple[str, dt.date | None, Validators] | None = None
        self.cache: EventCache | None = None  # set by the engine: parsed events survive a restart

    def _file_stamp(self, path: Path) -> str:
        """A file's validator: size, inode and change times (unchanged stamp: the bytes are not even read)."""
        st = path.stat()
        return f"file:{st.st_size}:{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}"

    def parsed_key(self) -> str | None:
        """Identifies the events of the last read (bytes and the settings that shaped them); None before one."""
        return None if self._parsed is None else self._key(self._parsed[0], self._parsed[1])

    def _fresh(self, now: dt.datetime) -> bool:
        """Is the last parse still right for unchanged bytes? (Series occurrences depend on the day's window.)"""
        return self._parsed is not None and self._parsed[1] in (None, now.date())

    def _accepted(self, validators: Validators, now: dt.datetime) -> bool:
        """Did the engine keep the last parse? It passes back the validators of the snapshot it kept."""
        return validators != Validators() and self._fresh(now) and self._parsed is not None and self._parsed[2] == validators

    def _read_bytes(self, validators: Validators, fresh: bool = False) -> FetchResult:
        if is_url(self.location):
            connect, total, redirects = self._timeouts
            return fetch_url(self.location, validators, max_bytes=self.limits.max_bytes,
                             connect_timeout=connect, total_timeout=total, max_redirects=redirects)
        path = Path(self.location)
        try:
            stamp = self._file_stamp(path)
            if fresh and validators.last_modified == stamp:
                return FetchResult(None, validators)
            with path.open("rb") as handle:
                data = handle.read(self.limits.max_bytes + 1)
        except FileNotFoundError:
            raise SourceError(f"{path}: file not found; check the source path") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if len(data) > self.limits.max_bytes:
            raise SourceError(f"{path}: larger than {self.limits.max_bytes} bytes (limits.max_bytes)")
        return FetchResult(data, Validators("", stamp))

    def read(self, now: dt.datetime, validators: Validators = Validators()) -> Snapshot:
        """The source's events; ``events`` None when nothing changed (validators match, or the same bytes again)."""
        fresh = self._accepted(validators, now)
        fetched = self._read_bytes(validators, fresh)
        if fetched.body is None:
            return Snapshot(None, (), fetched.validators)
        if fresh and self._parsed is not None and self._parsed[0] == hashlib.sha256(fetched.body).hexdigest():
            return Snapshot(None, (), fetched.validators)  # same bytes, and no series whose window moved: no parse
        return self.parse(fetched.body, now, fetched.validators)

    def restore(self, body: bytes | None, now: dt.datetime) -> Snapshot | None:
        """The last good snapshot kept in state, after a restart."""
        return self.parse(body, now) if body is not None else None

    def _key(self, digest: str, day: dt.date | None) -> str:
        keep = (self.keep.match, sorted(self.keep.cues)) if self.keep else None  # sorted: a set's order varies by process
        shape = repr((self.zone.key, self.limits, keep, day.isoformat() if day else None))
        return hashlib.sha256(f"{digest}\x1f{shape}".encode()).hexdigest()

    def parse(self, body: bytes, now: dt.datetime, validators: Validators = Validators()) -> Snapshot:
        digest = hashlib.sha256(body).hexdigest()
        if self.cache is not None:
            for day in (None, now.date()):  # without series, then with series (the window is the day's)
                found = self.cache.get(self._key(digest, day))
                if found is not None:
                    self._parsed = (digest, day, validators)
                    return Snapshot(found[0], found[1], validators, body)
        parsed = parse_calendar(body, self.name, self.zone, now, self.limits, self.keep)
        day = now.date() if parsed.series else None
        self._parsed = (digest, day, validators)
        snapshot = Snapshot(tuple(parsed.events), tuple(parsed.warnings), validators, body)
        if self.cache is not None:
            self.cache.put(self._key(digest, day), snapshot.events or (), snapshot.warnings)
        return snapshot
