"""`calsync confirm` / `calsync dismiss` remembered in state; `status` lists open suggestions."""
import json

import pytest

from calsync.cli.main import main
from tests.conftest import calendar, vevent

RECRUITER = "ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.example"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(
        vevent("gh-1", "20261201T100000", "20261201T110000", summary="Acme Robotics - Phone Screen",
               description="Phone screen for the Backend Engineer position.", extra=RECRUITER),
        vevent("gh-2", "20261203T100000", "20261203T110000", summary="Globex | Technical Interview",
               description="Your technical interview.", extra="ORGANIZER;CN=Globex Talent:mailto:talent@globex.example"),
        vevent("lunch", "20261202T120000", "20261202T130000", summary="Team lunch"),
        vevent("prep", "20261130T120000", "20261130T130000", summary="Mock interview with Sam"),
    ))
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "cal"\npath = "{ics}"\n')
    return str(config)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def status(capsys, config, now):
    code, out, _ = run(capsys, "--config", config, "status", "--json", "--now", now)
    assert code == 0
    return json.loads(out)


def test_confirm_plans_dismiss_forgets_and_both_are_remembered(capsys, setup):
    config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    state = status(capsys, config, "2026-11-25T12:00")
    assert [s["event"] for s in state["suggestions"]] == ["gh-1", "gh-2"] and state["interviews"] == []
    assert 'title says "phone screen"' in state["suggestions"][0]["reasons"]
    _, text, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    assert "calsync confirm ID" in text and "Acme Robotics - Phone Screen" in text

    code, out, _ = run(capsys, "--config", config, "confirm", "acme")
    assert code == 0 and "gh-1" in out
    code, out, _ = run(capsys, "--config", config, "dismiss", "gh-2")
    assert code == 0 and "gh-2" in out
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T13:00")
    state = status(capsys, config, "2026-11-25T13:00")
    assert [i["uid"] for i in state["interviews"]] == ["gh-1"]
    assert {f["kind"] for f in state["interviews"][0]["followups"]} == {"thank_you", "check_in", "second_check_in"}
    assert state["suggestions"] == []  # one confirmed, one dismissed: none open

    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T14:00")  # and so it stays
    state = status(capsys, config, "2026-11-25T14:00")
    assert [i["uid"] for i in state["interviews"]] == ["gh-1"] and state["suggestions"] == []


def test_unknown_or_ambiguous_suggestion(capsys, setup):
    config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    code, _, err = run(capsys, "--config", config, "confirm", "nothing-like-it")
    assert code == 1 and "no suggestion matches" in err
    code, _, err = run(capsys, "--config", config, "dismiss", "gh-")
    assert code == 1 and "matches 2 suggestions" in err
