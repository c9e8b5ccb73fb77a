"""SQLite state: first-seen times, outcomes, source snapshots, what each sink published."""
from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from calsync.core.model import Outcome, OutcomeKind, Seen
from calsync.errors import StateError, describe_os_error, state_error
from calsync.statedir import DB_NAME, MIGRATIONS, file_identity, open_database_file

__all__ = ["DB_NAME", "MIGRATIONS", "PlanItem", "PublishedRow", "StateStore", "state_path"]
WAL_SWITCH_PATIENCE_SECONDS = 10.0
AUTH_ERROR_PREFIX = "auth_error:"  # meta key of a login problem: + "source:NAME" or "sink:NAME"

# published.status holds an Ownership value (calsync.core.reconcile).


@dataclass(frozen=True)
class PublishedRow:
    sink: str
    fid: str
    interview: str
    kind: str
    hash: str
    sequence: int
    status: str
    remote_etag: str
    payload: bytes | None
    start: str
    due: str
    summary: str


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _moment(text: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(zone)


class StateStore:
    """One SQLite database; every change commits in its own transaction. Every SQLite error becomes a StateError."""

    def __init__(self, path: Path | str, zone: ZoneInfo, readonly: bool = False, immutable: bool = False) -> None:
        self.path, self.zone = str(path), zone
        self.identity: tuple[int, int] | None = None  # (device, inode) of the file opened, to notice it deleted or replaced
        try:
            if readonly:
                flags = "mode=ro&immutable=1" if immutable else "mode=ro"
                self.db = sqlite3.connect(f"file:{self.path}?{flags}", uri=True, timeout=10, isolation_level=None)
            else:
                if self.path != ":memory:":
                    self.identity = open_database_file(Path(self.path))
                self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                self._use_wal()
                self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.Error as exc:
            raise state_error(self.path, "open", exc) from None
        except OSError as exc:
            raise StateError(f"{self.path}: cannot open the state database: {describe_os_error(exc)}") from None
        if not readonly:
            self._migrate()

    def _use_wal(self) -> None:
        """Switch a new database to WAL; the switch does not wait for a busy database on its own, so wait here."""
        deadline = time.monotonic() + WAL_SWITCH_PATIENCE_SECONDS
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")  # ":memory:" stays "memory": no retry for that
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def close(self) -> None:
        self.db.close()

    def moved(self) -> str | None:
        """"deleted" or "replaced" when the file at the path is no longer the one open here (None: it is)."""
        try:
            now = file_identity(Path(self.path)) if self.identity else self.identity
        except OSError:
            return None
        return None if now == self.identity else ("deleted" if now is None else "replaced")

    def close_moved(self) -> None:
        """Close a database deleted or replaced meanwhile; its WAL emptied first, so no file at the path ever reads it."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        self.close()

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of one query; a damaged or unreadable database raises StateError."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise state_error(self.path, "read", exc) from None

    def schema_version(self) -> int:
        return int(self._rows("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        """Forward-only; the version is read again under the write lock, so two first starts never both migrate."""
        version = self.schema_version()
        if version > len(MIGRATIONS):
            raise StateError(f"{self.path}: made by a newer calsync (schema {version}); upgrade calsync")
        if version == len(MIGRATIONS):
            return
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version={len(MIGRATIONS)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; on any failure the transaction is rolled back (if SQLite has not already)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise state_error(self.path, "write", exc) from None
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise state_error(self.path, "write", exc) from None
            raise

    def _rollback(self) -> None:
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite may have rolled back on its own (disk full, I/O error)

    def integrity_ok(self) -> bool:
        return self._rows("PRAGMA integrity_check")[0][0] == "ok"

    # -- meta
    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def login_problems(self) -> dict[str, str]:
        """Each source's and sink's stored login problem, keyed "source:NAME" / "sink:NAME"."""
        rows = self._rows("SELECT key, value FROM meta WHERE (substr(key, 1, ?) = ? OR key = 'google_auth_error') AND value != '' "
                          "ORDER BY key", (len(AUTH_ERROR_PREFIX), AUTH_ERROR_PREFIX))
        return {("sink:google" if key == "google_auth_error" else key[len(AUTH_ERROR_PREFIX):]): value  # earlier versions: one key
                for key, value in rows}

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))

    # -- first seen, outcomes
    def seen(self, now: dt.datetime) -> Seen:
        """Stored first-seen times, none later than ``now``: a clock that ran ahead must not make follow-ups missed for good."""
        interviews = {uid: min(_moment(t, self.zone), now) for uid, t in self._rows("SELECT uid, first_seen FROM interviews")}
        outcomes = {(uid, kind): min(_moment(t, self.zone), now)
                    for uid, kind, t in self._rows("SELECT uid, kind, first_seen FROM outcomes_seen")}
        return Seen(now, interviews, outcomes)

    def recorded_outcomes(self) -> dict[str, tuple[Outcome, ...]]:
        found: dict[str, list[Outcome]] = {}
        for uid, kind, at in self._rows("SELECT uid, kind, at FROM marks ORDER BY at"):
            found.setdefault(uid, []).append(Outcome(OutcomeKind(kind), _moment(at, self.zone)))
        return {uid: tuple(items) for uid, items in found.items()}

    def record_seen(self, now: dt.datetime, interviews: list[tuple[str, str, str, str, str]], outcomes: list[tuple[str, str]]) -> None:
        """Remember interviews (uid, source, summary, company, start) and undated outcomes first seen now.

        A first-seen time later than ``now`` (written while the clock ran ahead) is pulled back to ``now``."""
        stamp = _iso(now)
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO interviews(uid, source, first_seen, last_seen, summary, company, start, active) VALUES(?,?,?,?,?,?,?,1) "
                "ON CONFLICT(uid) DO UPDATE SET first_seen=MIN(first_seen, excluded.first_seen), last_seen=excluded.last_seen, summary=excluded.summary, "
                "company=excluded.company, start=excluded.start, source=excluded.source, active=1",
                [(uid, source, stamp, stamp, summary, company, start) for uid, source, summary, company, start in interviews],
            )
            db.executemany("INSERT INTO outcomes_seen(uid, kind, first_seen) VALUES(?,?,?) "
                           "ON CONFLICT(uid, kind) DO UPDATE SET first_seen=MIN(first_seen, excluded.first_seen)",
                           [(u, k, stamp) for u, k in outcomes])

    def mark(self, uid: str, kind: OutcomeKind, at: dt.datetime, now: dt.datetime) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO marks(uid, kind, at, recorded_at) VALUES(?,?,?,?) ON CONFLICT(uid, kind) DO UPDATE SET at=excluded.at",
                       (uid, kind.value, _iso(at), _iso(now)))

    def unmark(self, uid: str, kind: OutcomeKind | None = None) -> OutcomeKind | None:
        """Undo a recorded outcome (the latest recorded one when ``kind`` is None); returns what was undone."""
        with self.transaction() as db:
            row = db.execute("SELECT kind FROM marks WHERE uid=? AND (? IS NULL OR kind=?) ORDER BY recorded_at DESC, at DESC LIMIT 1",
                             (uid, kind and kind.value, kind and kind.value)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM marks WHERE uid=? AND kind=?", (uid, row[0]))
        return OutcomeKind(row[0])

    def known_interviews(self) -> list[tuple[str, str, str, str]]:
        """(uid, summary, company, start) of every interview ever seen."""
        return [tuple(r) for r in self._rows("SELECT uid, summary, company, start FROM interviews ORDER BY start, uid")]  # type: ignore[misc]

    # -- suggestions (untagged events that read like interviews)
    def record_suggestions(self, found: list[tuple[str, str, str, float, str]]) -> None:
        """The suggestions of this pass (event, summary, start, score, reasons as JSON); open ones not found again go."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO suggestions(event, summary, start, score, reasons) VALUES(?,?,?,?,?) ON CONFLICT(event) DO UPDATE "
                "SET summary=excluded.summary, start=excluded.start, score=excluded.score, reasons=excluded.reasons", found)
            current = {row[0] for row in found}
            stale = [e for (e,) in db.execute("SELECT event FROM suggestions WHERE choice='open'") if e not in current]
            db.executemany("DELETE FROM suggestions WHERE event=?", [(e,) for e in stale])

    def suggestions(self) -> list[tuple[str, str, str, float, str, str]]:
        """(event, summary, start, score, reasons JSON, choice) of every remembered suggestion, by start."""
        return list(self.db.execute("SELECT event, summary, start, score, reasons, choice FROM suggestions ORDER BY start, event"))

    def decide_suggestion(self, event: str, choice: str, now: dt.datetime) -> None:
        """Remember the user's "confirmed" or "dismissed" for a suggested event."""
        with self.transaction() as db:
            db.execute("UPDATE suggestions SET choice=?, decided_at=? WHERE event=?", (choice, _iso(now), event))

    def suggestion_decisions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT event, choice FROM suggestions WHERE choice != 'open'"))

    # -- done
    def mark_done(self, fid: str, now: dt.datetime) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO done(fid, at) VALUES(?,?)", (fid, _iso(now)))

    def undo_done(self, fid: str) -> bool:
        """Undo `mark_done`: the follow-up is pending again. False if it was not done."""
        with self.transaction() as db:
            return db.execute("DELETE FROM done WHERE fid=?", (fid,)).rowcount > 0

    def done_ids(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT fid FROM done")}

    # -- sources
    def source_state(self, name: str) -> tuple[str, str, bytes | None]:
        rows = self._rows("SELECT s.etag, s.last_modified, b.body FROM sources s LEFT JOIN source_bodies b ON b.name = s.name "
                          "WHERE s.name=?", (name,))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else ("", "", None)

    def source_ok(self, name: str, now: dt.datetime, etag: str, last_modified: str, body: bytes | None, count: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO sources(name) VALUES(?)", (name,))
            if body is not None:
                db.execute("INSERT INTO source_bodies(name, body) VALUES(?,?) ON CONFLICT(name) DO UPDATE SET body=excluded.body", (name, body))
                db.execute("UPDATE sources SET event_count=? WHERE name=?", (count, name))
            db.execute("UPDATE sources SET etag=?, last_modified=?, last_ok=?, last_error=NULL, last_error_at=NULL WHERE name=?",
                       (etag, last_modified, _iso(now), name))

    def source_failed(self, name: str, now: dt.datetime, error: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO sources(name) VALUES(?)", (name,))
            db.execute("UPDATE sources SET last_error=?, last_error_at=? WHERE name=?", (error, _iso(now), name))

    def source_health(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(name, last_ok, last_error, last_error_at) per source."""
        return [tuple(r) for r in self._rows("SELECT name, last_ok, last_error, last_error_at FROM sources ORDER BY name")]  # type: ignore[misc]

    # -- Google source cache: events as last listed, and the sync token that follows them
    def google_events(self, source: str) -> list[str]:
        return [row[0] for row in self._rows("SELECT body FROM google_events WHERE source=? ORDER BY id", (source,))]

    def apply_google_page_set(self, source: str, upserts: list[tuple[str, str]], deletes: list[str],
                              sync_token: str, full: bool) -> None:
        """All pages of one listing in one transaction; the sync token is stored with them, never before."""
        with self.transaction() as db:
            if full:
                db.execute("DELETE FROM google_events WHERE source=?", (source,))
            db.executemany("INSERT INTO google_events(source, id, body) VALUES(?,?,?) ON CONFLICT(source, id) DO UPDATE SET body=excluded.body",
                           [(source, i, body) for i, body in upserts])
            db.executemany("DELETE FROM google_events WHERE source=? AND id=?", [(source, i) for i in deletes])
            db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (f"google_sync:{source}", sync_token))

    # -- the last plan, for status and done
    def replace_plan_items(self, items: list[PlanItem]) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM plan_items")
            db.executemany("INSERT INTO plan_items VALUES(?,?,?,?,?,?,?,?)",
                           [(i.fid, i.interview, i.kind, i.start, i.due, i.channel, i.summary, int(i.missed)) for i in items])

    def plan_items(self) -> list[PlanItem]:
        rows = self._rows("SELECT fid, interview, kind, start, due, channel, summary, missed FROM plan_items ORDER BY start, fid")
        return [PlanItem(*row[:7], bool(row[7])) for row in rows]

    # -- published
    def published(self, sink: str) -> dict[str, PublishedRow]:
        rows = self._rows(
            "SELECT sink, fid, interview, kind, hash, sequence, status, remote_etag, payload, start, due, summary FROM published WHERE sink=?", (sink,))
        return {r[1]: PublishedRow(*r) for r in rows}

    def put_published(self, row: PublishedRow, now: dt.datetime) -> None:
        with self.transaction() as db:
            self._put(db, row, now)

    def put_many(self, rows: list[PublishedRow], now: dt.datetime) -> None:
        with self.transaction() as db:
            for row in rows:
                self._put(db, row, now)

    def forget_published(self, sink: str, keep: str) -> None:
        """Forget what ``sink`` holds except rows with status ``keep`` (its remote calendar is gone)."""
        with self.transaction() as db:
            db.execute("DELETE FROM published WHERE sink=? AND status<>?", (sink, keep))

    @staticmethod
    def _put(db: sqlite3.Connection, row: PublishedRow, now: dt.datetime) -> None:
        db.execute(
            "INSERT INTO published(sink, fid, interview, kind, hash, sequence, status, remote_etag, payload, start, due, summary, updated_at) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sink, fid) DO UPDATE SET interview=excluded.interview, kind=excluded.kind, "
            "hash=excluded.hash, sequence=excluded.sequence, status=excluded.status, remote_etag=excluded.remote_etag, "
            "payload=excluded.payload, start=excluded.start, due=excluded.due, summary=excluded.summary, updated_at=excluded.updated_at",
            (row.sink, row.fid, row.interview, row.kind, row.hash, row.sequence, row.status, row.remote_etag, row.payload,
             row.start, row.due, row.summary, _iso(now)),
        )


class PlanItem(NamedTuple):  # a tuple, not a dataclass: `status` reads thousands at once
    fid: str
    interview: str
    kind: str
    start: str
    due: str
    channel: str
    summary: str
    missed: bool


def state_path(state_dir: Path) -> Path:
    return state_dir / DB_NAME


ReadOnlyState = tuple["Seen | None", dict[str, tuple[Outcome, ...]], dict[str, str]]
SUGGESTIONS_SCHEMA = 3  # the first schema version with the suggestions table


def open_readonly_seen(config: "object", now: dt.datetime) -> ReadOnlyState:
    """First-seen times, recorded outcomes and suggestion decisions (`confirm`, `dismiss`) from an
    existing database, without writing anything."""
    path = state_path(config.state_dir)  # type: ignore[attr-defined]
    if not path.exists():
        return None, {}, {}
    wal = Path(f"{path}-wal")
    # No write-ahead log: nobody has the database open, so it is read as an immutable file (a read-only
    # WAL connection would leave -wal and -shm files behind). Should a writer appear meanwhile, read again.
    for immutable in (not wal.exists(), False):
        store = StateStore(path, config.plan.zone, readonly=True, immutable=immutable)  # type: ignore[attr-defined]
        try:
            version = store.schema_version()
            decisions = store.suggestion_decisions() if version >= SUGGESTIONS_SCHEMA else {}
            found = (None, {}, {}) if version < 1 else (store.seen(now), store.recorded_outcomes(), decisions)
        except StateError:
            if not immutable:
                raise
            continue
        finally:
            store.close()
        if not (immutable and wal.exists()):
            return found
    return found
