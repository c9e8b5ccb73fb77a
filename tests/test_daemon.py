"""The daemon: systemd notify over a real AF_UNIX socket, signals, reload, sources that come and go."""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from calsync.config import load_config
from calsync.daemon import Daemon
from calsync.notify import SystemdNotifier
from tests.conftest import calendar, vevent, wait_for
from tests.http_fixtures import calendar_server

ROOT = Path(__file__).resolve().parent.parent
ICS = calendar(vevent("acme-1", "20261201T100000", "20261201T110000"), vevent("b-1", "20261202T100000", "20261202T110000"))


@pytest.fixture
def notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    yield path, sock
    sock.close()


def receive_until(sock, wanted, limit=40):
    seen = []
    for _ in range(limit):
        message = sock.recv(4096).decode()
        seen.append(message)
        if wanted in message:
            return seen
    raise AssertionError(f"{wanted!r} never came: {seen}")


def write_config(tmp_path, source_line, extra=""):
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "cal"\n{source_line}\ninterval = "1s"\n[feed]\nport = 0\n{extra}')
    return config


def test_notify_protocol_in_a_thread(tmp_path, notify_socket, monkeypatch):
    path, sock = notify_socket
    (tmp_path / "cal.ics").write_bytes(ICS)
    config_file = write_config(tmp_path, f'path = "{tmp_path / "cal.ics"}"')
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    daemon = Daemon(load_config(config_file), str(config_file), notifier=SystemdNotifier(path))
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        messages = receive_until(sock, "READY=1")
        assert "STATUS=" in messages[-1]
        messages = receive_until(sock, "WATCHDOG=1")
        assert any("STATUS=" in m and "interviews" in m for m in messages)
        # Ready only once the feed socket is bound and answering.
        assert daemon.server is not None and daemon.server.port > 0
    finally:
        daemon.stop()
        thread.join(30)
    assert not thread.is_alive()
    assert any("STOPPING=1" in m for m in receive_until(sock, "STOPPING=1"))


def test_abstract_notify_socket_address():
    notifier = SystemdNotifier("@calsync-test")
    assert notifier.address == "\0calsync-test"
    assert not SystemdNotifier("").send("READY=1")


def start(config_file, env_extra=None):
    env = {**os.environ, "TZ": "America/Los_Angeles", **(env_extra or {})}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([sys.executable, "-m", "calsync", "--config", str(config_file), "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)



def test_sigterm_in_the_middle_of_a_pass_exits_cleanly(tmp_path):
    slow = threading.Event()
    with calendar_server() as (server, base):
        server.serve("/cal.ics", ICS)
        config_file = write_config(tmp_path, f'url = "{base}/slow.ics"')
        original = server.routes
        # A source that answers slowly: the daemon is mid-pass when SIGTERM arrives.
        class SlowRoutes(dict):
            def get(self, key, default=None):
                if key == "/slow.ics":
                    slow.set()
                    time.sleep(2)
                    return original["/cal.ics"]
                return original.get(key, default)
        server.routes = SlowRoutes()
        proc = start(config_file)
        assert slow.wait(20)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 30
    db = sqlite3.connect(tmp_path / "state" / "state.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sighup_reloads_good_config_and_refuses_bad(tmp_path):
    (tmp_path / "cal.ics").write_bytes(ICS)
    config_file = write_config(tmp_path, f'path = "{tmp_path / "cal.ics"}"')
    proc = start(config_file)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: [lines.append(line) for line in proc.stderr], daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: (tmp_path / "state" / "followups.ics").exists())
        config_file.write_text(config_file.read_text().replace('timezone = "America/Los_Angeles"', 'timezone = "America/New_York"'))
        proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: b"-0500" in (tmp_path / "state" / "followups.ics").read_bytes()
                        or b"America/New_York" in (tmp_path / "state" / "followups.ics").read_bytes())
        config_file.write_text("this is = = not toml")
        proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: any("reload refused" in line for line in lines))
        assert proc.poll() is None  # still running on the old configuration
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=30)
    err = "".join(lines)
    assert proc.returncode == 0
    assert "configuration reloaded" in err and "reload refused" in err


def source_error(tmp_path):
    """last_error of each source, read from the daemon's state (None: healthy), or None before the state exists."""
    from contextlib import closing

    try:
        with closing(sqlite3.connect(f"file:{tmp_path / 'state' / 'state.sqlite3'}?mode=ro", uri=True, timeout=10)) as db:
            return [row[0] for row in db.execute("SELECT last_error FROM sources")]
    except sqlite3.Error:
        return None


def test_source_goes_away_and_comes_back(tmp_path):
    with calendar_server() as (server, base):
        server.serve("/cal.ics", ICS)
        config_file = write_config(tmp_path, f'url = "{base}/cal.ics"')
        proc = start(config_file)
        try:
            assert wait_for(lambda: (tmp_path / "state" / "followups.ics").exists())
            feed = (tmp_path / "state" / "followups.ics").read_bytes()
            server.serve("/cal.ics", b"", status=503)
            assert wait_for(lambda: (source_error(tmp_path) or [None])[0])  # the failure was seen and recorded
            assert (tmp_path / "state" / "followups.ics").read_bytes() == feed  # nothing deleted
            server.serve("/cal.ics", ICS)
            # retries back off from 30 s, capped at the source's interval (1 s here)
            assert wait_for(lambda: source_error(tmp_path) == [None])
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
    assert "keeping its last good snapshot" in err and "is back" in err
    assert proc.returncode == 0


def test_bad_config_exits_78_without_traceback(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[business]\nclose = "5pm"\n')
    proc = start(config)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 78 and "business.close" in err and "Traceback" not in err



def test_sighup_refuses_what_load_refuses_and_keeps_serving(tmp_path):
    """A template that cannot render, a feed port that is not a number: refused on reload as at start."""
    (tmp_path / "cal.ics").write_bytes(ICS)
    config_file = write_config(tmp_path, f'path = "{tmp_path / "cal.ics"}"')
    good = config_file.read_text()
    proc = start(config_file)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, "")), daemon=True).start()
    try:
        feed = tmp_path / "state" / "followups.ics"
        assert wait_for(lambda: feed.exists())
        for count, bad in enumerate((good + '[drafts.templates]\nthank_you = "Hi {0}"\n', good.replace("port = 0", 'port = "eighty"')), 1):
            config_file.write_text(bad)
            proc.send_signal(signal.SIGHUP)
            assert wait_for(lambda: sum("reload refused" in line for line in log) == count or proc.poll() is not None), log
            assert proc.poll() is None
        config_file.write_text(good.replace('timezone = "America/Los_Angeles"', 'timezone = "America/New_York"'))
        proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: b"America/New_York" in feed.read_bytes())  # the next good one is taken
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    text = "".join(log)
    assert proc.returncode == 0, text
    assert "{0}" in text and "feed.port" in text and "configuration reloaded" in text and "Traceback" not in text, text
