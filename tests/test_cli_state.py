"""run --once, mark, done, status, feed-url, rotate-feed-token through main(argv)."""
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
    assert "feedback_request" in out and "Onsite" in out


def test_done_and_status(capsys, setup):
    _, config = setup
    run(capsys, "--config", config, "run", "--once", "--now", "2026-11-25T12:00")
    _, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    line = next(l for l in out.splitlines() if "thank_you" in l)
    fid = line.split()[0]
    code, out, _ = run(capsys, "--config", config, "done", fid)
    assert code == 0 and "done:" in out
    _, out, _ = run(capsys, "--config", config, "status", "--now", "2026-11-25T12:00")
    assert any(fid in l and " done " in l for l in out.splitlines())
    assert "cal: last good poll" in out


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
