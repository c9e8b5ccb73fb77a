"""`calsync plan` in-process through main(argv), against files and a real local HTTP server."""
import json

import pytest

from calsync.cli.main import main
from tests.conftest import calendar, vevent
from tests.http_fixtures import calendar_server, closed_port

ACME = vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite - Acme #interview",
              description="Company: Acme\nContact: Jane Doe <jane@acme.example>\nWe'll be in touch by Friday.")
NOW = "2026-11-25T12:00:00-08:00"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ics_file(tmp_path):
    path = tmp_path / "interviews.ics"
    path.write_bytes(calendar(ACME))
    return path


@pytest.fixture(autouse=True)
def pacific(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")


def test_plan_json_is_the_contract(capsys, ics_file):
    code, out, _ = run(capsys, "plan", "--source", str(ics_file), "--now", NOW, "--json")
    assert code == 0
    followups = json.loads(out)["followups"]
    assert [f["kind"] for f in followups] == ["thank_you", "check_in", "second_check_in"]
    first = followups[0]
    assert set(first) == {"kind", "interview", "start", "end", "due", "channel", "summary", "description"}
    assert first == {**first, "interview": "acme-1", "start": "2026-12-01T11:30:00-08:00", "end": "2026-12-01T12:00:00-08:00",
                     "due": "2026-12-01T17:00:00-08:00", "channel": "email"}
    assert "mailto:jane@acme.example" in first["description"]
    assert followups[1]["start"] == "2026-12-07T10:00:00-08:00"


def test_plan_with_config_timezone(capsys, ics_file, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'timezone = "America/New_York"\nstate_dir = "{tmp_path / "state"}"\n')
    code, out, _ = run(capsys, "plan", "--config", str(config), "--source", str(ics_file), "--now", NOW, "--json")
    assert code == 0
    assert json.loads(out)["followups"][0]["start"] == "2026-12-01T14:30:00-05:00"
    assert not (tmp_path / "state").exists()  # plan writes nothing


def test_plan_table_groups_by_interview(capsys, ics_file):
    code, out, _ = run(capsys, "plan", "--source", str(ics_file), "--now", NOW)
    assert code == 0
    assert "Onsite - Acme" in out and "thank_you" in out and "1 interview(s), 3 follow-up(s) planned, 0 missed." in out


def test_plan_reads_a_url(capsys):
    with calendar_server() as (server, base):
        server.serve("/cal.ics", calendar(ACME))
        code, out, _ = run(capsys, "plan", "--source", base + "/cal.ics", "--now", NOW, "--json")
    assert code == 0 and len(json.loads(out)["followups"]) == 3


def test_plan_several_sources(capsys, ics_file, tmp_path):
    other = tmp_path / "other.ics"
    other.write_bytes(calendar(vevent("b-1", "20261202T100000", "20261202T110000")))
    code, out, _ = run(capsys, "plan", "--source", str(ics_file), "--source", str(other), "--now", NOW, "--json")
    assert {f["interview"] for f in json.loads(out)["followups"]} == {"acme-1", "b-1"}


@pytest.mark.parametrize(
    "make_source, message",
    [
        (lambda tmp: str(tmp / "missing.ics"), "missing.ics: file not found"),
        (lambda tmp: (tmp / "bad.ics").write_text("not a calendar") and str(tmp / "bad.ics"), "bad.ics: not a valid iCalendar file"),
        (lambda tmp: f"http://127.0.0.1:{closed_port()}/cal.ics", "unreachable"),
        (lambda tmp: "ftp://example.invalid/cal.ics", "only http:// and https://"),
    ],
    ids=["missing", "malformed", "unreachable", "scheme"],
)
def test_bad_sources_one_line_no_traceback(capsys, tmp_path, make_source, message):
    code, out, err = run(capsys, "plan", "--source", make_source(tmp_path), "--now", NOW, "--json")
    assert code != 0 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_http_error_status_is_reported(capsys):
    with calendar_server() as (_, base):
        code, _, err = run(capsys, "plan", "--source", base + "/nope.ics", "--now", NOW)
    assert code != 0 and "HTTP 404" in err


def test_url_credentials_never_shown(capsys):
    port = closed_port()
    code, _, err = run(capsys, "plan", "--source", f"http://user:s3cret-canary@127.0.0.1:{port}/cal.ics?token=t0ken-canary", "--now", NOW)
    assert code != 0 and "s3cret-canary" not in err and "t0ken-canary" not in err


def test_verbose_shows_the_traceback(capsys, tmp_path):
    code, _, err = run(capsys, "--verbose", "plan", "--source", str(tmp_path / "missing.ics"))
    assert code != 0 and "Traceback" in err


def test_invalid_config_exit_78_every_problem_a_line(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('timezone = "Nowhere/City"\n[business]\nregion = "ZZ"\nclose = "5pm"\n')
    code, _, err = run(capsys, "plan", "--config", str(config), "--json")
    assert code == 78
    lines = err.strip().splitlines()
    assert len(lines) == 3 and all(str(config) in line for line in lines)
    assert "Traceback" not in err


def test_bad_now(capsys, ics_file):
    code, _, err = run(capsys, "plan", "--source", str(ics_file), "--now", "next tuesday")
    assert code != 0 and "--now" in err


def test_broken_event_warns_and_plans_the_rest(capsys, tmp_path):
    path = tmp_path / "mixed.ics"
    path.write_bytes(calendar("BEGIN:VEVENT\nUID:broken\nDTSTART:2026120\nSUMMARY:x #interview\nEND:VEVENT", ACME))
    code, out, err = run(capsys, "plan", "--source", str(path), "--now", NOW, "--json")
    assert code == 0 and len(json.loads(out)["followups"]) == 3
    assert "skipped event 'broken'" in err


def test_check_config_prints_resolved(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('timezone = "Europe/Berlin"\n[business]\nregion = "DE"\n')
    code, out, _ = run(capsys, "check-config", "--config", str(config))
    assert code == 0 and "Europe/Berlin" in out and "DE" in out and "same_day_cutoff" in out


def test_no_sources_is_a_clear_error(capsys):
    code, _, err = run(capsys, "plan", "--json")
    assert code == 78 and "no sources" in err
