"""Each source's last good snapshot is kept apart from its health: a poll that changes nothing rewrites no snapshot."""
import datetime as dt
import os
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from calsync.state import MIGRATIONS, StateStore

UTC = ZoneInfo("UTC")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BODY = bytes(range(256)) * 4096  # 1 MiB, incompressible enough for SQLite to store as is


def wal_bytes(path) -> int:
    wal = f"{path}-wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def bytes_read() -> int:
    """What this thread has read through read()/pread() so far (Linux; other threads do not count)."""
    return int(next(line for line in Path("/proc/thread-self/io").read_text().splitlines() if line.startswith("rchar:")).split()[1])


@pytest.mark.skipif(not Path("/proc/thread-self/io").exists(), reason="needs Linux /proc/thread-self/io")
def test_an_unchanged_poll_neither_reads_nor_writes_the_snapshot(tmp_path):
    path = tmp_path / "state.sqlite3"
    with StateStore(path, UTC) as store:
        store.source_ok("cal", NOW, "", "file:1", BODY, 3)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.execute("PRAGMA cache_size=16")  # 16 pages: what a poll touches comes from the file, where it can be counted
        before = bytes_read()
        for minute in range(1, 4):  # the daemon's idle polls: the same bytes again, so no body
            store.source_ok("cal", NOW + dt.timedelta(minutes=minute), "", "file:1", None, 3)
        assert bytes_read() - before < len(BODY) // 8  # a few pages per poll, never the snapshot's megabyte
        assert wal_bytes(path) < len(BODY) // 8
        assert store.source_state("cal") == ("", "file:1", BODY)
        assert store.source_health() == [("cal", (NOW + dt.timedelta(minutes=3)).isoformat(), None, None)]


def test_a_state_from_schema_3_keeps_its_snapshots_and_health(tmp_path):
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        old.executescript(script)
    old.execute("INSERT INTO sources(name, etag, last_modified, body, last_ok, last_error, last_error_at, event_count) "
                "VALUES('cal', 'e1', 'm1', ?, '2026-11-24T10:00:00+00:00', 'timed out', '2026-11-24T11:00:00+00:00', 7)", (BODY,))
    old.execute("INSERT INTO sources(name, last_ok) VALUES('never-read', NULL)")
    old.execute("PRAGMA user_version=3")
    old.commit()
    old.close()
    with StateStore(path, UTC) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert store.source_state("cal") == ("e1", "m1", BODY)
        assert store.source_state("never-read") == ("", "", None)
        assert store.source_health() == [("cal", "2026-11-24T10:00:00+00:00", "timed out", "2026-11-24T11:00:00+00:00"),
                                         ("never-read", None, None, None)]
        store.source_ok("cal", NOW, "e2", "m2", b"BEGIN:VCALENDAR", 1)
        assert store.source_state("cal") == ("e2", "m2", b"BEGIN:VCALENDAR")
