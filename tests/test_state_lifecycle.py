"""The state database or directory deleted or replaced under a running daemon (a "reset", a restored backup)."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from calsync.state import MIGRATIONS, StateStore
from tests.conftest import wait_for
from tests.test_state_robustness import ROOT, bound_port, calsync, fetch_status, write_config

UTC = ZoneInfo("UTC")


class Running:
    """`calsync run` in a process, its log read as it comes (the pipe never fills)."""

    def __init__(self, config: Path) -> None:
        self.process = calsync(config, "run")
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(iter(self.process.stderr.readline, "")), daemon=True)
        self.reader.start()

    def logged(self, *words: str) -> list[str]:
        return [line for line in list(self.lines) if all(w in line for w in words)]

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.reader.join(timeout=60)
        return "".join(self.lines)


def query(db: Path, sql: str):
    """Rows of a read-only query, or None while the database is missing or unreadable."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def started(tmp_path):
    config = write_config(tmp_path)
    state = tmp_path / "state"
    daemon = Running(config)
    assert wait_for(lambda: bound_port(state) is not None and (state / "followups.ics").exists()), daemon.lines
    token = (state / "feed-token").read_text().strip()
    url = f"http://127.0.0.1:{bound_port(state)}/{token}/followups.ics"
    assert fetch_status(url) == 200
    return daemon, state, token, url


def intact(db: Path) -> bool:
    return query(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_deleted_database_is_created_again_with_the_same_feed_url(tmp_path):
    daemon, state, token, url = started(tmp_path)
    db = state / "state.sqlite3"
    try:
        db.unlink()  # what a user does to "reset"; the -wal and -shm files stay
        assert wait_for(lambda: query(db, "SELECT uid FROM interviews") == [("acme-1",)]), daemon.lines
        assert daemon.logged("state.sqlite3 was deleted")
        assert fetch_status(url) == 200 and (state / "feed-token").read_text().strip() == token
        assert intact(db)
        rotate = calsync(tmp_path / "calsync.toml", "rotate-feed-token")  # the feed server reads the new database
        printed, err = rotate.communicate(timeout=60)
        assert rotate.returncode == 0, err
        new = printed.strip().split("/")[-2]
        assert new != token and fetch_status(url.replace(token, new)) == 200 and fetch_status(url) == 404
        assert daemon.process.poll() is None
    finally:
        log = daemon.stop()
    assert daemon.process.returncode == 0, log
    assert len(daemon.logged("was deleted")) == 1 and "Traceback" not in log, log


def test_a_backup_moved_over_the_database_is_used(tmp_path):
    daemon, state, token, url = started(tmp_path)
    db = state / "state.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    try:
        source, copy = sqlite3.connect(f"file:{db}?mode=ro", uri=True), sqlite3.connect(backup)
        source.backup(copy)
        copy.execute("INSERT INTO meta(key, value) VALUES('restored', 'yes')")
        copy.execute("UPDATE sources SET last_ok='2000-01-01T00:00:00+00:00'")
        copy.commit()
        source.close()
        copy.close()
        os.replace(backup, db)
        assert wait_for(lambda: daemon.logged("state.sqlite3 was replaced")), daemon.lines
        assert wait_for(lambda: query(db, "SELECT m.value, s.last_ok > '2001' FROM meta m, sources s WHERE m.key='restored'")
                        == [("yes", 1)])  # the backup, written by the daemon since
        assert fetch_status(url) == 200 and intact(db)
    finally:
        log = daemon.stop()
    assert daemon.process.returncode == 0 and "Traceback" not in log, log
    assert intact(db) and query(db, "SELECT value FROM meta WHERE key='restored'") == [("yes",)]


def test_a_removed_state_directory_is_made_again_and_held(tmp_path):
    daemon, state, token, url = started(tmp_path)
    try:
        shutil.rmtree(state)
        assert wait_for(lambda: query(state / "state.sqlite3", "SELECT uid FROM interviews") == [("acme-1",)]
                        and (state / "followups.ics").exists()), daemon.lines
        assert (state / "feed-token").read_text().strip() == token and fetch_status(url) == 200
        second = calsync(tmp_path / "calsync.toml", "run", "--once")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 73 and f"pid {daemon.process.pid}" in err, err  # the new directory is held
        assert daemon.process.poll() is None
    finally:
        log = daemon.stop()
    assert daemon.process.returncode == 0 and "Traceback" not in log, log


HOLDER = """
import sys
from zoneinfo import ZoneInfo
from calsync.state import StateStore
store = StateStore(sys.argv[1], ZoneInfo("UTC"))
store.set_meta("who", "the deleted database")
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_new_database_never_takes_over_a_deleted_ones_wal(tmp_path):
    """Another process still has the deleted database open; its -wal and -shm stay behind."""
    db = tmp_path / "state.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert Path(f"{db}-wal").exists()
        db.unlink()
        with StateStore(db, UTC) as fresh:
            assert fresh.get_meta("who") is None
            assert fresh.schema_version() == len(MIGRATIONS) and fresh.integrity_ok()
            fresh.set_meta("who", "the new database")
        with StateStore(db, UTC) as again:
            assert again.get_meta("who") == "the new database" and again.integrity_ok()
    finally:
        holder.communicate("\n", timeout=60)
