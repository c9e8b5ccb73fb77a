"""State under races and accidents: first starts racing `feed-url`, a lost database, a clock that ran ahead, two daemons."""
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from calsync.cli.main import main
from calsync.state import StateStore
from tests.conftest import calendar, vevent, wait_for

ROOT = Path(__file__).resolve().parent.parent
UTC = ZoneInfo("UTC")
ICS = calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview", description="Company: Acme"))


def write_config(tmp_path, extra="", sources=None):
    (tmp_path / "cal.ics").write_bytes(ICS)
    sources = sources or [f'[[sources]]\nname = "cal"\npath = "{tmp_path / "cal.ics"}"\ninterval = "1s"\n']
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n' + "".join(sources)
                      + f'[feed]\nbind = "127.0.0.1"\nport = 0\n{extra}')
    return config


def calsync(config, *argv, **kwargs):
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([sys.executable, "-m", "calsync", "--config", str(config), *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)



def bound_port(state_dir):
    """The port the daemon recorded, read without writing anything."""
    try:
        db = sqlite3.connect(f"file:{state_dir / 'state.sqlite3'}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='feed_bound'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return int(row[0].rsplit(":", 1)[1]) if row else None


def fetch_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_first_start_racing_feed_url_agrees_on_one_token(tmp_path):
    """`calsync run` and `calsync feed-url` started together on a fresh state dir, 20 times."""
    for attempt in range(20):
        base = tmp_path / str(attempt)
        base.mkdir()
        config = write_config(base)
        daemon = calsync(config, "run")
        url = calsync(config, "feed-url")
        try:
            printed, err = url.communicate(timeout=60)
            assert url.returncode == 0, err
            token = printed.strip().split("/")[-2]
            assert wait_for(lambda: bound_port(base / "state") is not None and (base / "state" / "followups.ics").exists())
            assert daemon.poll() is None, daemon.communicate()[1]
            port = bound_port(base / "state")
            assert fetch_status(f"http://127.0.0.1:{port}/{token}/followups.ics") == 200, (attempt, printed)
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, log = daemon.communicate(timeout=60)
        assert daemon.returncode == 0, log
        assert "Traceback" not in log and "ERROR" not in log, log
        assert not [p.name for p in (base / "state").iterdir() if p.suffix == ".tmp"]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("accident", ["deleted", "emptied"])
def test_a_lost_database_keeps_the_feed_token(tmp_path, capsys, monkeypatch, accident):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    config = str(write_config(tmp_path))
    code, first, _ = run_cli(capsys, "--config", config, "feed-url")
    assert code == 0
    state = tmp_path / "state"
    for name in ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm"):
        if (state / name).exists():
            (state / name).unlink()
    if accident == "emptied":
        (state / "state.sqlite3").write_bytes(b"")
    code, again, _ = run_cli(capsys, "--config", config, "feed-url")
    assert code == 0 and again == first  # the old URL stays valid
    with StateStore(state / "state.sqlite3", UTC) as store:  # and the database checks it again
        from calsync.web.token import FeedToken, token_matches

        expected = FeedToken(store, state).expected_hash()
        assert expected is not None and token_matches(first.strip().split("/")[-2].encode(), expected)


def test_a_garbled_token_file_is_not_adopted(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    config = str(write_config(tmp_path))
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "feed-token").write_text("short\n")
    code, url, _ = run_cli(capsys, "--config", config, "feed-url")
    token = url.strip().split("/")[-2]
    assert code == 0 and token != "short" and len(token) >= 32
    assert (tmp_path / "state" / "feed-token").read_text().strip() == token


def test_a_clock_that_ran_ahead_does_not_miss_follow_ups_for_good(tmp_path, capsys, monkeypatch):
    """First seen in 2027 by a wrong clock; once the clock is right again, the interview counts as first seen now."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    config = str(write_config(tmp_path))
    run_cli(capsys, "--config", config, "run", "--once", "--now", "2027-06-01T09:00")
    _, ahead, _ = run_cli(capsys, "--config", config, "status", "--now", "2027-06-01T09:00")
    assert "pending" not in ahead and "missed" in ahead  # what the wrong clock planned
    code, _, _ = run_cli(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T09:00")
    assert code == 0
    _, right, _ = run_cli(capsys, "--config", config, "status", "--now", "2026-11-25T09:00")
    assert "missed" not in right and "thank-you" in right and "pending" in right
    with StateStore(tmp_path / "state" / "state.sqlite3", UTC) as store:  # the stored time itself was pulled back
        (first_seen,) = store.db.execute("SELECT first_seen FROM interviews").fetchone()
    assert dt.datetime.fromisoformat(first_seen) == dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.timezone.utc)


def test_first_seen_never_later_than_now(tmp_path):
    later, now = dt.datetime(2030, 1, 1, tzinfo=UTC), dt.datetime(2026, 11, 25, tzinfo=UTC)
    with StateStore(tmp_path / "s.sqlite3", UTC) as store:
        store.record_seen(later, [("a", "cal", "A", "", "")], [("a", "offer")])
        seen = store.seen(now)
        assert seen.interviews["a"] == now and seen.outcomes[("a", "offer")] == now
        store.record_seen(now, [("a", "cal", "A", "", "")], [("a", "offer")])
        store.record_seen(later, [("a", "cal", "A", "", "")], [("a", "offer")])  # a later pass never moves it forward
        assert store.seen(later).interviews["a"] == now and store.seen(later).outcomes[("a", "offer")] == now


def test_a_second_daemon_exits_with_one_line_while_commands_keep_working(tmp_path):
    config = write_config(tmp_path)
    first = calsync(config, "run")
    try:
        assert wait_for(lambda: bound_port(tmp_path / "state") is not None and (tmp_path / "state" / "followups.ics").exists())
        for argv in (["run"], ["run", "--once"], ["serve"]):
            second = calsync(config, *argv)
            out, err = second.communicate(timeout=60)
            assert second.returncode == 73, (argv, err)
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "already running" in lines[0] and f"pid {first.pid}" in lines[0], err
        for argv in (["feed-url"], ["status"], ["mark", "acme", "offer"], ["doctor"]):
            done = calsync(config, *argv)
            out, err = done.communicate(timeout=60)
            assert done.returncode in (0, 1) and "Traceback" not in err, (argv, err)
            assert "already running" not in err
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        _, log = first.communicate(timeout=60)
    assert first.returncode == 0, log
