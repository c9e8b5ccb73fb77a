"""run --once, mark, done, status, feed-url, rotate-feed-token through main(argv)."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from calsync.cli.main import main
from tests.conftest import calendar, vevent


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(
        vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview", description="Company: Acme"),
        vevent("globex-1", "20261202T100000", "20261202T110000", summary="Screen #interview", description="Company: Globex"),
        vevent("globex-2", "20261209T100000", "20261209T110000", summary="Final #interview", description="Company: Globex"),
    ))
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "cal"\npath = "{ics}"\n[feed]\npublic_url = "https://feeds.example.net/"\n')
    return tmp_path, str(config)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_once_publishes_and_shows_where(capsys, setup):
    tmp_path, config = setup
    code, out, _ = run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    assert code == 0
    assert (tmp_path / "state" / "followups.ics").exists()
    assert "9 follow-up(s) published to" in out and "https://feeds.example.net/" in out


def test_mark_by_search_and_ambiguity(capsys, setup):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    code, _, err = run(capsys, "--config", config, "mark", "globex", "rejected")
    assert code == 1 and "matches 2 interviews" in err and "globex-1" in err and "globex-2" in err
    code, out, _ = run(capsys, "--config", config, "mark", "acme", "rejected", "--at", "2026-12-02")
    assert code == 0 and "acme-1" in out
    code, _, err = run(capsys, "--config", config, "mark", "nobody", "offer")
    assert code == 1 and "no interview matches" in err
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T13:00")
    code, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T13:00")
    assert "feedback" in out.lower() and "Onsite" in out and "[rejected" in out


def test_done_and_status(capsys, setup):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    _, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    line = next(l for l in out.splitlines() if "thank-you" in l.lower())
    fid = line.split()[0]
    code, out, _ = run(capsys, "--config", config, "done", fid)
    assert code == 0 and "done:" in out
    _, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    assert any(fid in l and " done " in l for l in out.splitlines())
    assert "source cal: last read" in out


def test_feed_url_and_rotation(capsys, setup):
    _, config = setup
    _, first, _ = run(capsys, "--config", config, "feed-url")
    _, again, _ = run(capsys, "--config", config, "feed-url")
    assert first == again and first.startswith("https://feeds.example.net/") and first.strip().endswith("/followups.ics")
    code, rotated, err = run(capsys, "--config", config, "rotate-feed-token")
    assert code == 0 and rotated != first and "old URL" in err
    _, now, _ = run(capsys, "--config", config, "feed-url")
    assert now == rotated


def test_status_shows_a_failing_source(capsys, setup):
    tmp_path, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    (tmp_path / "cal.ics").write_text("garbage")
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T13:00")
    _, out, _ = run(capsys, "--config", config, "status")
    assert "FAILING since" in out and "not a valid iCalendar" in out


def test_mark_undo_lifts_a_rejection(capsys, setup):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    run(capsys, "--config", config, "mark", "acme", "rejected", "--at", "2026-12-02 09:00")
    run(capsys, "--config", config, "mark", "acme", "responded", "--at", "2026-12-02 10:00")
    code, out, _ = run(capsys, "--config", config, "mark", "acme", "--undo")
    assert code == 0 and "undone: responded for acme-1" in out
    code, out, _ = run(capsys, "--config", config, "mark", "acme", "rejected", "--undo")
    assert code == 0 and "undone: rejected" in out
    code, _, err = run(capsys, "--config", config, "mark", "acme", "--undo")
    assert code == 1 and "no recorded outcome for acme-1" in err
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T13:00")
    _, out, _ = run(capsys, "--config", config, "status", "--json", "--now", "2026-11-25T13:00")
    acme = next(i for i in json.loads(out)["interviews"] if i["uid"] == "acme-1")
    assert acme["outcomes"] == [] and {f["kind"] for f in acme["followups"]} >= {"check_in"}


def test_done_undo(capsys, setup):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    _, out, _ = run(capsys, "--config", config, "status", "--json", "--now", "2026-11-25T12:00")
    fid = json.loads(out)["interviews"][0]["followups"][0]["id"]
    assert run(capsys, "--config", config, "done", fid)[0] == 0
    code, out, _ = run(capsys, "--config", config, "done", fid, "--undo")
    assert code == 0 and "pending again" in out
    code, _, err = run(capsys, "--config", config, "done", fid, "--undo")
    assert code == 1 and "not marked done" in err


@pytest.mark.parametrize("phrase, expected", [
    ("2026-12-04", "2026-12-04 00:00"), ("2026-12-04 15:30", "2026-12-04 15:30"), ("2026-12-04T15:30:00Z", "2026-12-04 07:30"),
    ("yesterday", "2026-12-09 00:00"), ("yesterday 3pm", "2026-12-09 15:00"), ("today 9:15", "2026-12-10 09:15"),
    ("Dec 4", "2026-12-04 00:00"), ("4 December 15:30", "2026-12-04 15:30"), ("Dec 24", "2025-12-24 00:00"),
    ("December 24, 2026", "2026-12-24 00:00"), ("friday", "2026-12-04 00:00"), ("thursday", "2026-12-10 00:00"),
])
def test_at_accepts_the_date_phrases_of_descriptions(phrase, expected):
    from calsync.cli.moments import parse_moment

    zone = ZoneInfo("America/Los_Angeles")
    now = dt.datetime(2026, 12, 10, 12, 0, tzinfo=zone)  # a Thursday
    assert f"{parse_moment(phrase, zone, '--at', now):%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize("phrase", ["soon", "next week", "within 3 days", "25:00", "yesterday 25:00", "13pm", "Dec 4 and Dec 5", "x" * 500])
def test_at_refuses_what_it_cannot_read_with_exit_2(capsys, setup, phrase):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    code, _, err = run(capsys, "--config", config, "mark", "acme", "offer", "--at", phrase)
    assert code == 2 and "--at: expected a date such as" in err and len(err.splitlines()) == 1


def test_status_groups_filters_and_fits_the_terminal(capsys, setup, monkeypatch):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    monkeypatch.setenv("COLUMNS", "60")
    _, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    assert all(len(line) <= 60 for line in out.splitlines()), out
    assert out.index("Onsite") < out.index("Screen") < out.index("Final")
    _, out, _ = run(capsys, "--config", config, "status", "--company", "globex", "--now", "2026-11-25T12:00")
    assert "Onsite" not in out and "Screen" in out and "Final" in out
    _, out, _ = run(capsys, "--config", config, "status", "--json", "--now", "2026-11-25T12:00")
    data = json.loads(out)
    for followup in data["interviews"][0]["followups"]:
        run(capsys, "--config", config, "done", followup["id"])
    _, out, _ = run(capsys, "--config", config, "status", "--upcoming", "--now", "2026-12-31T12:00")
    assert "Onsite" not in out and "Screen" in out
    _, out, _ = run(capsys, "--config", config, "status", "--upcoming", "--company", "acme", "--now", "2026-12-31T12:00")
    assert "no interviews match" in out
    assert set(data) == {"now", "timezone", "state", "interviews", "sources", "notices", "suggestions"}
    first = data["interviews"][0]
    assert set(first) == {"uid", "summary", "company", "start", "outcomes", "followups"}
    assert first["start"] == "2026-12-01T10:00:00-08:00"  # local, not UTC
    assert set(first["followups"][0]) == {"id", "kind", "start", "due", "channel", "summary", "state"}


def test_status_on_empty_state_says_what_to_do(capsys, setup):
    _, config = setup
    code, out, _ = run(capsys, "--config", config, "status")
    assert code == 0 and "no state yet" in out and "calsync run --once" in out


def test_status_strips_terminal_escapes_from_calendar_text(capsys, tmp_path):
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("evil-1", "20261201T100000", "20261201T110000", summary="Evil \x1b[2J\x1b]0;pwn\x07 #interview")))
    ics.write_bytes(ics.read_bytes().replace(b"\\x1b", b"\x1b").replace(b"\\x07", b"\x07"))
    config = tmp_path / "c.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n[[sources]]\npath = "{ics}"\n')
    run(capsys, "--config", str(config), "run", "--once", "--now", "2026-11-25T12:00")
    _, out, _ = run(capsys, "--config", str(config), "status", "--now", "2026-11-25T12:00")
    assert "\x1b" not in out and "\x07" not in out and "Evil" in out


def test_status_shows_stored_moments_in_the_configured_zone():
    from calsync.cli.status_view import _local

    la, berlin = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin")
    assert _local("2026-12-01T10:00:00-08:00", la) == (dt.datetime(2026, 12, 1, 10, tzinfo=la), "2026-12-01T10:00:00-08:00")
    moment, text = _local("2026-12-01T10:00:00-08:00", berlin)  # the zone changed since the pass: converted
    assert (moment, text) == (dt.datetime(2026, 12, 1, 19, tzinfo=berlin), "2026-12-01T19:00:00+01:00")
    assert _local("2026-11-01T01:30:00-08:00", la)[1] == "2026-11-01T01:30:00-08:00"  # the repeated hour, second time
    assert _local("2026-11-01T01:30:00-07:00", la)[1] == "2026-11-01T01:30:00-07:00"  # … and first time
    assert _local("2026-12-01T10:00:00", la)[1] == "2026-12-01T10:00:00-08:00"  # naive: read in the zone
    assert _local("garbage", la) == (None, "garbage") and _local(None, la) == (None, None)
