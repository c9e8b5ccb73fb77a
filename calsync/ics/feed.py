"""The .ics feed: one VEVENT per follow-up, rendered from cached bytes, written atomically."""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from calsync.core.model import FollowUp
from calsync.core.reconcile import Action, Change, Observed, Ownership
from calsync.errors import CalsyncError
from calsync.ics.text import CALENDAR_FOOTER, FeedStyle, calendar_header, render_followup
from calsync.ics.vtimezone import vtimezone
from calsync.state import PublishedRow, StateStore

SINK = "feed"


def write_atomically(path: Path, data: bytes, mode: int = 0o640) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder: readers see old or new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a write that was killed
        try:
            stale.unlink()
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise CalsyncError(f"{path}: cannot write the feed ({exc.strerror or exc}); the previous feed is kept — check free disk space") from None
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass
class _Entry:
    start: str
    payload: bytes


class IcsFeed:
    """Keeps each event's serialized bytes, so a render after one change costs a sort and a join."""

    name = SINK

    def __init__(self, store: StateStore, path: Path, zone: str, title: str, style: FeedStyle, refresh_seconds: float) -> None:
        self.store, self.path, self.zone, self.title, self.style, self.refresh = store, path, zone, title, style, refresh_seconds
        self._entries: dict[str, _Entry] = {}
        self._order: list[tuple[str, str]] = []  # (start, fid), kept sorted as entries change
        self._observed: dict[str, Observed] = {}
        self._written_digest: str | None = None
        for fid, row in store.published(SINK).items():
            self._observed[fid] = Observed(row.hash, row.sequence, Ownership(row.status))
            if row.status == Ownership.MANAGED.value and row.payload is not None:
                self._entries[fid] = _Entry(row.start, row.payload)
        self._order = sorted((entry.start, fid) for fid, entry in self._entries.items())

    def _drop(self, fid: str) -> None:
        old = self._entries.pop(fid, None)
        if old is not None:
            del self._order[bisect.bisect_left(self._order, (old.start, fid))]

    def _put(self, fid: str, entry: _Entry) -> None:
        self._drop(fid)
        self._entries[fid] = entry
        bisect.insort(self._order, (entry.start, fid))

    @property
    def style_key(self) -> str:
        return f"alarm={self.style.alarm_minutes};todos={self.style.todos}"

    def observed(self) -> dict[str, Observed]:
        return dict(self._observed)

    def apply(self, changes: list[Change], done: set[str], now: dt.datetime) -> None:
        """Record every change in state (one transaction), then refresh the in-memory render cache."""
        rows: list[PublishedRow] = []
        for change in changes:
            f = change.followup
            if change.action is Action.DELETE or f is None:
                old = self._observed[change.fid]
                rows.append(PublishedRow(SINK, change.fid, "", "", old.hash, change.sequence, Ownership.REMOVED.value, "", None, "", "", ""))
                continue
            payload = render_followup(f, change.sequence, now, change.fid in done, self.style)
            rows.append(PublishedRow(SINK, change.fid, f.interview, f.kind.value, change.hash, change.sequence, Ownership.MANAGED.value,
                                     "", payload, _sort_key(f), f.due.isoformat(), f.summary))
        if not rows:
            return
        self.store.put_many(rows, now)
        for row in rows:
            self._observed[row.fid] = Observed(row.hash, row.sequence, Ownership(row.status))
            if row.payload is None:
                self._drop(row.fid)
            else:
                self._put(row.fid, _Entry(row.start, row.payload))

    def render_parts(self) -> list[bytes]:
        """The feed as its pieces in order (header, zone, events, footer): no copy of the cached event bytes."""
        parts = [calendar_header(self.title, self.refresh)]
        if self._order:
            first, last = int(self._order[0][0][:4]), int(self._order[-1][0][:4])
            parts.append(vtimezone(self.zone, first - 1, last + 1))
        entries = self._entries
        parts.extend([entries[fid].payload for _, fid in self._order])
        parts.append(CALENDAR_FOOTER)
        return parts

    def render(self) -> bytes:
        """The whole feed; the same state always gives the same bytes."""
        return b"".join(self.render_parts())

    def flush(self) -> bool:
        """Write the feed if its bytes differ from what is on disk; True when written."""
        data = self.render()
        digest = hashlib.sha256(data).hexdigest()
        if self._written_digest is None:
            try:
                self._written_digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
            except OSError:
                self._written_digest = ""
        if digest == self._written_digest:
            return False
        write_atomically(self.path, data)
        self._written_digest = digest
        return True


def _sort_key(f: FollowUp) -> str:
    return f.start.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
