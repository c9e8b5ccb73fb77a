"""Exit codes and one-line messages as the README promises: 66, 73, 75, 78, a closed pipe; a source that raises anything."""
import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from calsync.config import build_config
from calsync.engine import Engine
from calsync.ics.fetch import Validators
from calsync.ics.source import Snapshot
from calsync.runtime import make_sinks
from calsync.state import StateStore
from tests.conftest import calendar, vevent
from tests.http_fixtures import calendar_server

ROOT = Path(__file__).resolve().parent.parent
LA = ZoneInfo("America/Los_Angeles")
ICS = calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview", description="Company: Acme"))


def calsync(config, *argv, **kwargs):
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.run([sys.executable, "-m", "calsync", "--config", str(config), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


def write_config(tmp_path, sources, feed=""):
    config = tmp_path / "calsync.toml"
    body = "".join(f'[[sources]]\nname = "s{i}"\n{line}\n' for i, line in enumerate(sources))
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n{body}[feed]\nbind = "127.0.0.1"\n{feed}')
    return config


def test_run_once_exits_66_only_when_every_source_failed(tmp_path):
    (tmp_path / "good.ics").write_bytes(ICS)
    with calendar_server() as (server, base):
        server.serve("/gone.ics", b"", status=503)
        every = write_config(tmp_path, [f'path = "{tmp_path / "missing.ics"}"', f'url = "{base}/gone.ics"'])
        done = calsync(every, "run", "--once")
        assert done.returncode == 66, done.stderr
        some = write_config(tmp_path, [f'path = "{tmp_path / "missing.ics"}"', f'path = "{tmp_path / "good.ics"}"'])
        done = calsync(some, "run", "--once")
        assert done.returncode == 0, done.stderr


def test_a_port_in_use_is_one_line_and_75(tmp_path):
    (tmp_path / "cal.ics").write_bytes(ICS)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = write_config(tmp_path, [f'path = "{tmp_path / "cal.ics"}"'], f"port = {taken.getsockname()[1]}\n")
        done = calsync(config, "run")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 75, done.stderr
    assert "already in use" in lines[-1] and "feed.port" in lines[-1] and "disk" not in done.stderr
    assert not [line for line in lines if "calsync:" in line][1:]  # one line


def test_an_address_not_of_this_machine_is_a_configuration_error(tmp_path):
    (tmp_path / "cal.ics").write_bytes(ICS)
    config = write_config(tmp_path, [f'path = "{tmp_path / "cal.ics"}"'], "port = 0\n")
    config.write_text(config.read_text().replace('bind = "127.0.0.1"', 'bind = "192.0.2.1"'))  # TEST-NET-1: nobody's
    done = calsync(config, "run")
    assert done.returncode == 78, done.stderr
    assert "not an address of this machine" in done.stderr and "disk" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    (tmp_path / "cal.ics").write_bytes(ICS)
    config = write_config(tmp_path, [f'path = "{tmp_path / "cal.ics"}"'])
    assert calsync(config, "run", "--once", "--now", "2026-11-25T09:00").returncode == 0
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before calsync writes a byte (`calsync status | true`)
    try:
        done = subprocess.run([sys.executable, "-m", "calsync", "--config", str(config), "status"], cwd=ROOT, env=env,
                              stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert done.returncode == 141 and done.stderr == "", done.stderr


class ExplodingSource:
    """A source adapter that reads well once, then raises what no adapter should (a bug, an unexpected library error)."""

    name = "boom"

    def __init__(self) -> None:
        self.reads = 0

    def read(self, now, validators=Validators()):
        from calsync.ics.parse import parse_calendar

        self.reads += 1
        if self.reads > 1:
            raise OverflowError("date value out of range")
        parsed = parse_calendar(ICS, "boom", LA, now)
        return Snapshot(tuple(parsed.events), tuple(parsed.warnings), Validators(), ICS)

    def restore(self, body, now):
        raise ValueError("cannot restore")


def test_any_exception_from_one_source_fails_that_source_and_keeps_its_snapshot(tmp_path):
    config = build_config({"timezone": "America/Los_Angeles", "state_dir": str(tmp_path / "state"),
                           "sources": [{"name": "boom", "path": str(tmp_path / "unused.ics")}]})
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=LA)
    with StateStore(tmp_path / "state.sqlite3", LA) as store:
        source = ExplodingSource()
        engine = Engine(config, store, make_sinks(config, store), [(source, 60.0)])
        first = engine.tick(now, poll_all=True)
        assert first.followups > 0 and not first.failed_sources
        feed = (tmp_path / "state" / "followups.ics").read_bytes()
        again = engine.tick(now + dt.timedelta(minutes=5), poll_all=True)
        assert again.failed_sources == ["boom"] and again.followups == first.followups
        assert (tmp_path / "state" / "followups.ics").read_bytes() == feed  # the snapshot was kept
        assert "OverflowError" in store.source_health()[0][2]
        # After a restart the stored snapshot cannot be restored and the source still raises: the pass goes on.
        restarted = Engine(config, store, make_sinks(config, store), [(source, 60.0)])
        report = restarted.tick(now + dt.timedelta(minutes=10), poll_all=True)
        assert report.failed_sources == ["boom"]
