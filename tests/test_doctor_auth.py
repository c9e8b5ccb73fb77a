"""`calsync doctor` and the parts of `calsync auth` that need no browser."""
from zoneinfo import ZoneInfo

from calsync.cli.main import main
from calsync.config import build_config
from calsync.google.auth import SCOPE_APP_CALENDARS, SCOPE_READ_EVENTS, SCOPE_WRITE_EVENTS, scopes_for
from calsync.web.server import start_feed_server
from calsync.state import StateStore
from tests.conftest import calendar, vevent


def test_doctor_reports_what_is_wrong_and_what_is_right(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("a", "20261201T100000", "20261201T110000")))
    config = tmp_path / "c.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n[[sources]]\npath = "{ics}"\n[[sources]]\nname = "gone"\npath = "{tmp_path / "gone.ics"}"\n')
    assert main(["--config", str(config), "run", "--once"]) == 0
    server, _ = start_feed_server("127.0.0.1", 0, tmp_path / "state" / "followups.ics", tmp_path / "state" / "state.sqlite3", 4, 2)
    store = StateStore(tmp_path / "state" / "state.sqlite3", ZoneInfo("UTC"))
    store.set_meta("feed_bound", f"127.0.0.1:{server.port}")
    store.close()
    try:
        capsys.readouterr()
        code = main(["--config", str(config), "doctor"])
        out = capsys.readouterr().out
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1  # the second source is missing
    assert "ok   the feed answers" in out and "ok   source cal.ics: 1 events" in out
    assert "BAD  source gone: " in out and "fix:" in out
    ics.unlink()
    (tmp_path / "gone.ics").write_bytes(calendar())
    code = main(["--config", str(config), "doctor"])
    assert code == 1 and "does not answer" in capsys.readouterr().out


def test_auth_without_the_client_file_is_one_clear_line(tmp_path, capsys):
    code = main(["auth", "google", "--client-secrets", str(tmp_path / "missing.json")])
    err = capsys.readouterr().err
    assert code == 1 and "no such file" in err and "Traceback" not in err


def test_scopes_are_the_least_the_setup_needs(tmp_path):
    source = [{"type": "google", "calendar_id": "primary"}]
    assert scopes_for(build_config({"sources": source})) == [SCOPE_READ_EVENTS]
    assert scopes_for(build_config({"sources": source, "google": {"sink": True}})) == [SCOPE_READ_EVENTS, SCOPE_APP_CALENDARS]
    assert scopes_for(build_config({"google": {"sink": True, "sink_calendar_id": "x@group"}})) == [SCOPE_WRITE_EVENTS]
    assert scopes_for(build_config({"google": {"sink": True}}), write_existing=True) == [SCOPE_WRITE_EVENTS]
