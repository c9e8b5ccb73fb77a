"""`calsync plan` over an existing state directory reads marks and first-seen times and writes nothing."""
import hashlib
import json
from zoneinfo import ZoneInfo

import pytest

from calsync.cli.main import main
from calsync.state import StateStore, state_path
from tests.conftest import calendar, vevent

NOW = "2026-11-25T12:00:00-08:00"


@pytest.fixture(autouse=True)
def pacific(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")


def snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(folder.iterdir())}


@pytest.fixture
def marked(tmp_path, capsys):
    """A state directory after a real pass and a `calsync mark`."""
    source = tmp_path / "interviews.ics"
    source.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000")))
    config = tmp_path / "c.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\ntype = "ics"\npath = "{source}"\n')
    assert main(["-c", str(config), "run", "--once"]) == 0
    assert main(["-c", str(config), "mark", "acme-1", "rejected", "--at", "2026-12-03"]) == 0
    capsys.readouterr()
    return config, tmp_path / "state"


def plan(capsys, config):
    assert main(["-c", str(config), "plan", "--json", "--now", NOW]) == 0
    return {f["kind"]: f["start"] for f in json.loads(capsys.readouterr().out)["followups"]}


def test_plan_leaves_the_state_directory_as_it_was(capsys, marked):
    config, state = marked
    before = snapshot(state)
    assert plan(capsys, config) == {"thank_you": "2026-12-01T11:30:00-08:00",
                                    "feedback_request": "2026-12-04T10:00:00-08:00"}
    assert snapshot(state) == before  # no -wal or -shm left behind either


def test_plan_while_a_writer_has_the_database_open(capsys, marked):
    config, state = marked
    writer = StateStore(state_path(state), ZoneInfo("America/Los_Angeles"))
    try:
        assert plan(capsys, config)["feedback_request"] == "2026-12-04T10:00:00-08:00"
    finally:
        writer.close()


ORGANIZER = "ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.example"


def test_plan_follows_confirm_and_dismiss(tmp_path, capsys):
    source = tmp_path / "invites.ics"
    source.write_bytes(calendar(
        vevent("screen-1", "20261202T100000", "20261202T110000", summary="Phone Screen with Acme (Greenhouse)",
               description="Your interview with Acme has been scheduled via Greenhouse.", extra=ORGANIZER),
        vevent("screen-2", "20261203T100000", "20261203T110000", summary="Technical Interview - Beta Corp",
               description="Interview scheduled via GoodTime", extra=ORGANIZER)))
    config = tmp_path / "c.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\ntype = "ics"\npath = "{source}"\n')

    def planned():
        assert main(["-c", str(config), "plan", "--json", "--now", NOW]) == 0
        out = json.loads(capsys.readouterr().out)
        return {f["interview"] for f in out["followups"]}, [s["event"] for s in out["suggestions"]]

    assert main(["-c", str(config), "run", "--once"]) == 0
    capsys.readouterr()
    assert planned() == (set(), ["screen-1", "screen-2"])
    assert main(["-c", str(config), "confirm", "screen-1"]) == 0
    assert main(["-c", str(config), "dismiss", "screen-2"]) == 0
    capsys.readouterr()
    assert planned() == ({"screen-1"}, [])  # decided suggestions leave the list, as in `status`
