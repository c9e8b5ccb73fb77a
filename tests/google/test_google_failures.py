"""Every failure the real API produces, against the strict fake: scopes, token endpoint, deleted calendar, bad values."""
import dataclasses
import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from calsync.cli.main import main
from calsync.config import build_config
from calsync.core.reconcile import Ownership
from calsync.errors import AuthError, ConfigError, TransientError
from calsync.google.auth import SCOPE_CALENDAR, load_credentials
from calsync.runtime import open_runtime
from tests.conftest import calendar, vevent
from tests.fake_google import APP_CREATED, READ_EVENTS, Fault
from tests.google.conftest import gevent, google_config, write_token

LA = ZoneInfo("America/Los_Angeles")
T0 = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def ics_runtime(tmp_path, endpoint, *uids, **token):
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(*(vevent(uid, f"202612{i + 1:02d}T100000", f"202612{i + 1:02d}T110000") for i, uid in enumerate(uids))))
    if token:
        write_token(tmp_path / "google-token.json", endpoint, **token)
    rt = open_runtime(google_config(tmp_path, endpoint, sources=[{"name": "cal", "path": str(ics), "interval": "1s"}]))
    rt.engine.sinks[1].base_delay = 0.001
    return rt, ics


def with_google(sink, **values):
    sink.config = dataclasses.replace(sink.config, google=dataclasses.replace(sink.config.google, **values))


def methods(fake, since=0):
    return [(op.method, op.path.split("/calendar/v3/")[-1]) for op in fake.log[since:]]


def test_a_failed_calendar_insert_is_retried_and_never_needs_the_calendar_list(tmp_path, google):
    fake, endpoint = google
    rt, _ = ics_runtime(tmp_path, endpoint, "acme")
    fake.faults.append(Fault(503, "backendError", match=lambda op: op.path.endswith("/calendars")))
    first = rt.engine.tick(T0)
    assert not first.auth_error and rt.engine.sinks[1].calendar_id == ""
    for minute in range(1, 4):
        report = rt.engine.tick(T0 + dt.timedelta(minutes=minute), poll_all=True)
        assert not report.auth_error
    calendars = [c for c in fake.calendar_info]
    assert len(calendars) == 1 and len(fake.live_events(calendars[0])) == 3
    assert not any("calendarList" in path for _, path in methods(fake))
    assert "got no answer" in (rt.store.get_meta("google_sink_note") or "")  # the 503 may have created one: said once


def test_with_a_scope_that_may_list_calendars_a_half_made_calendar_is_found_on_any_page(tmp_path, google):
    fake, endpoint = google
    fake.grant(SCOPE_CALENDAR)
    fake.page_size = 1
    for n in range(3):
        fake.calendar_info[f"other{n}"] = {"id": f"other{n}", "summary": "Someone's"}
    rt, _ = ics_runtime(tmp_path, endpoint, "acme", scopes=[SCOPE_CALENDAR])
    sink = rt.engine.sinks[1]
    made = fake.make_app_calendar({"summary": "Follow-ups", "description": sink_description()})  # by a run killed before its answer
    rt.store.set_meta("google_sink_calendar_creating", "1")
    rt.engine.tick(T0)
    assert sink.calendar_id == made and len(fake.live_events(made)) == 3
    assert sum(1 for m, path in methods(fake) if m == "POST" and path == "calendars") == 0
    assert sum(1 for _, path in methods(fake) if path == "users/me/calendarList") == 4  # page by page, to the 4th


def sink_description():
    from calsync.google.sink import CALENDAR_DESCRIPTION

    return CALENDAR_DESCRIPTION


def test_a_token_without_the_sink_scope_is_one_reauthorization_state_not_a_403_per_item(tmp_path, google, capsys):
    fake, endpoint = google
    fake.grant(READ_EVENTS)
    fake.put_event("primary", gevent("ev1", 1))
    write_token(tmp_path / "google-token.json", endpoint, scopes=[READ_EVENTS])
    rt = open_runtime(google_config(tmp_path, endpoint))
    report = rt.engine.tick(T0)
    assert report.interviews == 1  # the source still works
    assert "calendar.app.created" in report.auth_error and "calsync auth google" in report.auth_error
    assert not any(m == "POST" for m, _ in methods(fake))  # nothing was tried item by item
    assert "calendar.app.created" in rt.store.login_problems().get("sink:google", "")
    rt.store.close()
    toml = tmp_path / "c.toml"
    toml.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                    f'[[sources]]\ntype = "google"\ncalendar_id = "primary"\n'
                    f'[google]\nsink = true\napi_endpoint = "{endpoint}"\ntoken_file = "{tmp_path / "google-token.json"}"\n'
                    f'token_uri = "{endpoint.split("/calendar/v3/")[0]}/token"\n')
    capsys.readouterr()
    assert main(["--config", str(toml), "status"]) == 0
    assert "calendar.app.created" in capsys.readouterr().out
    assert main(["--config", str(toml), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "BAD  Google: Google authorization lacks calendar.app.created" in out
    assert main(["--config", str(toml), "run", "--once", "--now", "2026-11-25T12:00"]) == 77


def test_a_403_insufficient_permissions_is_an_auth_error_when_the_token_file_does_not_say(tmp_path, google):
    fake, endpoint = google
    fake.grant(READ_EVENTS)  # the user unticked calendar.app.created; an old token file lists no scopes
    rt, _ = ics_runtime(tmp_path, endpoint, "acme", scopes=None)
    report = rt.engine.tick(T0)
    assert "lacks a scope" in report.auth_error and "insufficient authentication scopes" in report.auth_error
    assert len([op for op in fake.log if op.method == "POST"]) == 1  # the calendar insert, refused once


def test_a_busy_token_endpoint_is_transient_and_invalid_grant_means_reauthorize(tmp_path, google):
    fake, endpoint = google
    config = google_config(tmp_path, endpoint)
    write_token(tmp_path / "google-token.json", endpoint, expired=True)
    fake.token_faults += [(503, {"error": "server_error", "error_description": "try again"})] * 3  # google-auth tries 3 times
    with pytest.raises(TransientError, match="busy"):
        load_credentials(config)
    assert load_credentials(config).valid  # the next attempt works
    fake.revoked = True
    with pytest.raises(AuthError, match="calsync auth google"):
        load_credentials(config, refresh=True)


def test_the_token_expiry_survives_a_custom_token_uri_so_refreshes_come_before_401s(tmp_path, google):
    fake, endpoint = google
    rt, _ = ics_runtime(tmp_path, endpoint, "acme", expired=True)
    fake.expire_access_tokens()  # the stored access token is dead, as its expiry says
    report = rt.engine.tick(T0)
    assert not report.auth_error and fake.http_requests[0] == "POST /token"
    assert len(fake.live_events(rt.engine.sinks[1].calendar_id)) == 3
    write_token(tmp_path / "google-token.json", endpoint)
    before = len(fake.http_requests)
    fresh = load_credentials(google_config(tmp_path, endpoint))
    assert fresh.expiry is not None and fresh.expiry.year == 2099 and fresh.valid
    assert len(fake.http_requests) == before  # valid until 2099: no refresh


def test_an_access_token_that_expires_between_passes_is_refreshed_on_the_401(tmp_path, google):
    fake, endpoint = google
    rt, ics = ics_runtime(tmp_path, endpoint, "acme")
    rt.engine.tick(T0)
    fake.expire_access_tokens()
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000"), vevent("beta", "20261202T100000", "20261202T110000")))
    report = rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)
    assert not report.auth_error and len(fake.live_events(rt.engine.sinks[1].calendar_id)) == 6
    assert "POST /token" in fake.http_requests


def test_a_deleted_followup_calendar_is_recreated_and_the_users_deletions_stay(tmp_path, google, caplog, capsys):
    fake, endpoint = google
    rt, ics = ics_runtime(tmp_path, endpoint, "acme")
    sink = rt.engine.sinks[1]
    rt.engine.tick(T0)
    old = sink.calendar_id
    ids = sorted(e["id"] for e in fake.live_events(old))
    fake.user_delete(old, ids[0])
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000", description="Company: Acme")))
    rt.engine.tick(T0 + dt.timedelta(minutes=1), poll_all=True)  # calsync notices the deletion on its update
    assert rt.store.published("google")[ids[0]].status == Ownership.USER_DELETED.value
    fake.delete_calendar(old)
    ics.write_bytes(calendar(vevent("acme", "20261201T100000", "20261201T110000", description="Company: Acme"),
                             vevent("beta", "20261202T100000", "20261202T110000")))
    with caplog.at_level(logging.WARNING, logger="calsync"):
        rt.engine.tick(T0 + dt.timedelta(minutes=2), poll_all=True)
        rt.engine.tick(T0 + dt.timedelta(minutes=3), poll_all=True)
    new = sink.calendar_id
    assert new != old and new in fake.calendar_info
    assert sorted(e["id"] for e in fake.live_events(new)) == sorted(set(ids[1:]) | set(rt.store.published("google")) - {ids[0]})
    assert len(fake.live_events(new)) == 5 and ids[0] not in {e["id"] for e in fake.live_events(new)}
    assert sum("calendar" in r.getMessage() and "was deleted" in r.getMessage() for r in caplog.records) == 1
    assert "was deleted" in rt.store.get_meta("google_sink_note")
    rt.engine.tick(T0 + dt.timedelta(minutes=4), poll_all=True)
    assert len(fake.calendar_info) == 1  # recreated once, not on every pass


@pytest.mark.parametrize("google, problem", [
    ({"reminder_minutes": [1, 2, 3, 4, 5, 6]}, r"google\.reminder_minutes: .*at most 5"),
    ({"reminder_minutes": [40321]}, r"google\.reminder_minutes\[0\]: .*40320"),
    ({"reminder_minutes": [-5]}, r"google\.reminder_minutes\[0\]: "),
    ({"reminder_minutes": ["ten"]}, r"google\.reminder_minutes\[0\]: .*whole number"),
    ({"color_id": "12"}, "google.color_id: '12' is not an event colour; Google's event palette is \"1\" to \"11\""),
    ({"color_id": "0"}, "google.color_id: '0' is not an event colour"),
], ids=["six-reminders", "over-4-weeks", "negative", "not-a-number", "colour-12", "colour-0"])
def test_values_google_rejects_are_refused_at_config_load(google, problem):
    with pytest.raises(ConfigError, match=problem):
        build_config({"google": {"sink": True, **google}})


def test_the_limits_accept_what_google_accepts(tmp_path, google):
    fake, endpoint = google
    config = build_config({"google": {"reminder_minutes": [0, 10, 60, 1440, 40320], "color_id": "11"}})
    assert config.google.reminder_minutes == (0, 10, 60, 1440, 40320)
    rt, _ = ics_runtime(tmp_path, endpoint, "acme")
    with_google(rt.engine.sinks[1], reminder_minutes=config.google.reminder_minutes, color_id="11")
    rt.engine.tick(T0)
    assert len(fake.live_events(rt.engine.sinks[1].calendar_id)) == 3  # and the fake found nothing invalid


def test_the_fake_rejects_what_google_rejects(tmp_path, google):
    fake, endpoint = google
    rt, _ = ics_runtime(tmp_path, endpoint, "acme")
    with_google(rt.engine.sinks[1], reminder_minutes=(1, 2, 3, 4, 5, 6))  # past config validation, as in older calsync
    rt.engine.tick(T0)
    assert fake.live_events(rt.engine.sinks[1].calendar_id) == [] and len(fake.invalid) == 3
    assert "more than 5" in fake.invalid[0]
    fake.invalid.clear()


def test_auth_accepts_a_partial_grant_and_says_what_will_not_work(tmp_path, google, capsys, monkeypatch):
    import json
    import threading
    import urllib.parse
    import urllib.request

    fake, endpoint = google
    fake.grant(READ_EVENTS)  # the user unticked calendar.app.created on the consent screen
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain http on 127.0.0.1
    monkeypatch.delenv("OAUTHLIB_RELAX_TOKEN_SCOPE", raising=False)  # restored after the test
    base = endpoint.split("/calendar/v3/")[0]
    secrets = tmp_path / "client.json"
    secrets.write_text(json.dumps({"installed": {"client_id": "fake-client", "client_secret": "fake-secret",
                                                 "auth_uri": f"{base}/auth", "token_uri": f"{base}/token",
                                                 "redirect_uris": ["http://localhost"]}}))
    toml = tmp_path / "c.toml"
    toml.write_text(f'state_dir = "{tmp_path / "state"}"\n[[sources]]\ntype = "google"\ncalendar_id = "primary"\n'
                    f'[google]\nsink = true\ntoken_file = "{tmp_path / "token.json"}"\n')
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("code", main(["--config", str(toml), "auth", "google", "--client-secrets",
                                                                              str(secrets), "--port", "0"])), daemon=True)
    thread.start()
    printed = ""
    for _ in range(600):  # up to 60 s for the prompt, checked every 0.1 s
        printed += capsys.readouterr().out
        if "state=" in printed or not thread.is_alive():
            break
        thread.join(0.1)
    url = urllib.parse.urlsplit(next(word for word in printed.split() if word.startswith(f"{base}/auth")))
    query = dict(urllib.parse.parse_qsl(url.query))
    assert set(query["scope"].split()) == {READ_EVENTS, APP_CREATED}  # asked for both
    redirect = f"{query['redirect_uri']}?" + urllib.parse.urlencode({"state": query["state"], "code": "fake-code", "scope": READ_EVENTS})
    urllib.request.urlopen(redirect, timeout=30).read()
    thread.join(60)
    out = printed + capsys.readouterr().out
    assert result.get("code") == 0, out
    assert "not allowed: calendar.app.created" in out and "writing follow-ups" in out
    assert json.loads((tmp_path / "token.json").read_text())["scopes"] == [READ_EVENTS]


def test_the_limits_function_names_each_problem():
    from calsync.config.google_limits import google_problems

    assert google_problems((0, 40320), "11") == []
    assert [w for w, _ in google_problems((1, 2, 3, 4, 5, 6, 40321, True), "x")] == ["google.reminder_minutes"] * 3 + ["google.color_id"]
