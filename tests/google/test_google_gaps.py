"""Login errors kept per source and sink, exit 75 for a busy token endpoint, doctor's scopes, notes that clear."""
import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest

from calsync.cli.main import main
from calsync.runtime import open_runtime
from tests.caldav.conftest import password_file
from tests.caldav.radicale_server import USER, Radicale
from tests.conftest import calendar, vevent
from calsync.google.auth import SCOPE_WRITE_EVENTS as WRITE_EVENTS
from tests.fake_google import Fault
from tests.google.conftest import google_config, write_token

LA = ZoneInfo("America/Los_Angeles")
T0 = dt.datetime(2026, 11, 25, 12, tzinfo=LA)
NOW_ARG = ["--now", "2026-11-25T12:00"]


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path / "radicale")
    yield server
    server.close()


def toml(tmp_path, endpoint, sources, google_sink=True):
    base = endpoint.split("/calendar/v3/")[0]
    path = tmp_path / "calsync.toml"
    path.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n{sources}'
                    f'[google]\nsink = {str(google_sink).lower()}\napi_endpoint = "{endpoint}"\n'
                    f'token_file = "{tmp_path / "google-token.json"}"\ntoken_uri = "{base}/token"\n')
    return path


def ics_source(tmp_path):
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000")))
    return f'[[sources]]\nname = "cal"\npath = "{ics}"\n'


def test_a_caldav_login_error_and_a_google_one_are_both_kept_and_both_shown(tmp_path, google, radicale, capsys):
    fake, endpoint = google
    url = radicale.make_calendar("interviews")
    password_file(tmp_path, "wrong")
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    fake.revoked = True
    config = toml(tmp_path, endpoint, ics_source(tmp_path) + f'[[sources]]\nname = "nc"\ntype = "caldav"\nurl = "{url}"\nusername = "{USER}"\n'
                                      'password_file = "caldav-password"\n')
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 77
    capsys.readouterr()
    assert main(["--config", str(config), "status"]) == 0
    out = capsys.readouterr().out
    assert "source nc: CalDAV robin@127.0.0.1" in out and "refused the login" in out and "password" in out
    assert "sink google: Google re-authorization needed" in out and "calsync auth google" in out
    assert main(["--config", str(config), "status", "--json"]) == 0
    notices = json.loads(capsys.readouterr().out)["notices"]
    assert sum("CalDAV" in n for n in notices) == 1 and sum("calsync auth google" in n for n in notices) == 1
    assert main(["--config", str(config), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "BAD  source nc: CalDAV" in out and "BAD  Google:" in out

    password_file(tmp_path)  # the CalDAV password is fixed; Google is still revoked
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 77
    capsys.readouterr()
    main(["--config", str(config), "status"])
    out = capsys.readouterr().out
    assert "CalDAV" not in out and "calsync auth google" in out


def test_run_once_exits_75_when_the_token_endpoint_is_busy_and_0_once_it_answers(tmp_path, google, capsys):
    fake, endpoint = google
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    config = toml(tmp_path, endpoint, ics_source(tmp_path))
    fake.token_faults += [(503, {"error": "backendError"})] * 3  # google-auth itself tries 3 times
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 75
    fake.token_faults.append((502, {"error": "bad gateway"}))  # google-auth does not retry it: still not a revocation
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 75
    assert "calsync auth google" not in capsys.readouterr().err
    fake.token_faults.append((502, {"error": "bad gateway"}))
    main(["--config", str(config), "doctor"])
    out = capsys.readouterr().out
    assert "BAD  Google: Google's token endpoint is busy" in out and "try again later" in out and "calsync auth" not in out
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 0


def test_a_token_endpoint_that_never_answers_is_a_retry_later_within_the_configured_timeout(tmp_path, google):
    import socket

    fake, endpoint = google
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        config = toml(tmp_path, endpoint, ics_source(tmp_path))
        text = config.read_text().replace(endpoint.split("/calendar/v3/")[0] + "/token", f"http://127.0.0.1:{silent.getsockname()[1]}/token")
        config.write_text(text.replace("[google]", '[limits]\nconnect_timeout = "1s"\ntotal_timeout = "1s"\n[google]'))
        done = []
        worker = threading.Thread(target=lambda: done.append(main(["--config", str(config), "run", "--once", *NOW_ARG])), daemon=True)
        worker.start()
        worker.join(60)  # google-auth's own default would be 120 s per try
    assert done == [75]


def test_run_once_exits_75_when_the_only_source_is_google_and_its_token_endpoint_is_busy(tmp_path, google):
    fake, endpoint = google
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    config = toml(tmp_path, endpoint, '[[sources]]\nname = "g"\ntype = "google"\ncalendar_id = "primary"\n', google_sink=False)
    fake.token_faults += [(500, {"error": "internal_failure"})] * 3
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 75
    fake.revoked = True
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 77


def test_doctor_does_not_ask_for_app_created_once_the_sink_calendar_exists_and_events_is_granted(tmp_path, google, capsys):
    fake, endpoint = google
    write_token(tmp_path / "google-token.json", endpoint)
    config = toml(tmp_path, endpoint, ics_source(tmp_path))
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 0  # calsync's calendar is made
    fake.grant(WRITE_EVENTS)  # re-authorized later with calendar.events instead of calendar.app.created
    write_token(tmp_path / "google-token.json", endpoint, expired=True, scopes=[WRITE_EVENTS])
    capsys.readouterr()
    assert main(["--config", str(config), "doctor"]) in (0, 1)
    out = capsys.readouterr().out
    assert "calendar.app.created" not in out and "ok   Google authorization is present and valid" in out
    assert main(["--config", str(config), "run", "--once", "--now", "2026-11-26T12:00"]) == 0  # and writing works

    (tmp_path / "state" / "state.sqlite3").unlink()  # no calendar yet: creating one does need app.created
    main(["--config", str(config), "doctor"])
    assert "BAD  Google: Google authorization lacks calendar.app.created" in capsys.readouterr().out


def test_the_got_no_answer_note_clears_after_a_later_healthy_pass(tmp_path, google, capsys):
    fake, endpoint = google
    write_token(tmp_path / "google-token.json", endpoint)
    config = toml(tmp_path, endpoint, ics_source(tmp_path))
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.path.endswith("/calendars")))
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 75  # the calendar insert got no answer
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 0  # made now, and the user is told
    capsys.readouterr()
    main(["--config", str(config), "status"])
    assert "got no answer" in capsys.readouterr().out
    assert main(["--config", str(config), "run", "--once", *NOW_ARG]) == 0  # a later healthy pass
    main(["--config", str(config), "status"])
    assert "got no answer" not in capsys.readouterr().out


def test_the_note_also_clears_in_a_daemon_that_keeps_running(tmp_path, google):
    fake, endpoint = google
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000")))
    rt = open_runtime(google_config(tmp_path, endpoint, sources=[{"name": "cal", "path": str(ics), "interval": "1s"}]))
    rt.engine.sinks[1].base_delay = 0.001
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.path.endswith("/calendars")))
    rt.engine.tick(T0)
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert "got no answer" in (rt.store.get_meta("google_sink_note") or "")
    ics.write_bytes(calendar(vevent("acme", "20261202T100000", "20261202T110000")))  # something to write: a full pass
    report = rt.engine.tick(T0 + dt.timedelta(minutes=2), poll_all=True)
    assert report.updated and not rt.store.get_meta("google_sink_note")
    rt.store.close()

