"""The CalDAV source against real servers: incremental reads, recurrences, and never a wipe.

Tests taking `dav` run against Radicale and Xandikos; those taking `radicale` inject faults, which need one server only.
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from calsync.caldav.dav import Account, DavConnection
from calsync.caldav.source import CaldavSource, Listing
from calsync.errors import AuthError, TransientError
from calsync.runtime import open_runtime
from calsync.state import StateStore
from tests.caldav.conftest import caldav_config, password_file
from tests.caldav.radicale_server import PASSWORD, USER
from tests.conftest import calendar, vevent

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def source(tmp_path, server, url, store, password=PASSWORD):
    account = Account(server.url, USER, str(password_file(tmp_path, password)))
    return CaldavSource("nc", url, DavConnection(account, 2, 2, retries=1, base_delay=0.001), LA, store)


def accept(store, src, snapshot):
    """What the engine does with an accepted read."""
    store.source_ok(src.name, NOW, "", "", snapshot.body, len(snapshot.events or ()))


@pytest.fixture
def store(tmp_path):
    with StateStore(tmp_path / "state.sqlite3", LA) as s:
        yield s


@pytest.mark.parametrize("sync", [True, False], ids=["sync-collection", "ctag-etag"])
def test_reads_incrementally_and_fetches_only_what_changed(tmp_path, dav, store, sync):
    dav.hide_sync = not sync
    url = dav.make_calendar("interviews")
    assert dav.put(dav.at("interviews", "a.ics"), calendar(vevent("a", "20261201T100000", "20261201T110000", "Onsite #interview"))) == 201
    weekly = vevent("w", "20261202T100000", "20261202T110000", "Weekly #interview", extra="RRULE:FREQ=WEEKLY;COUNT=3")
    moved = vevent("w", "20261209T150000", "20261209T160000", "Weekly moved #interview",
                   extra="RECURRENCE-ID;TZID=America/Los_Angeles:20261209T100000")
    assert dav.put(dav.at("interviews", "w.ics"), calendar(weekly, moved)) == 201
    src = source(tmp_path, dav, url, store)
    first = src.read(NOW)
    accept(store, src, first)
    by_uid = {e.uid: e for e in first.events}
    assert set(by_uid) == {"a", "w@20261202T180000Z", "w@20261209T180000Z", "w@20261216T180000Z"}
    assert by_uid["w@20261209T180000Z"].start == dt.datetime(2026, 12, 9, 15, tzinfo=LA)
    assert Listing.load(store.source_state("nc")[2]).mode == ("sync" if sync else "etag")

    seen = len(dav.log)
    assert src.read(NOW).events is None  # nothing changed: the engine keeps what it has
    quiet = [op.method for op in dav.log[seen:]]
    assert quiet == (["REPORT"] if sync else ["PROPFIND"])  # one sync-collection, or one ctag look-up; no data read

    assert dav.put(dav.at("interviews", "b.ics"), calendar(vevent("b", "20261203T100000", "20261203T110000", "Call #interview"))) == 201
    assert dav.delete(dav.at("interviews", "a.ics")) in (200, 204)
    seen = len(dav.log)
    second = src.read(NOW)
    accept(store, src, second)
    assert {e.uid for e in second.events} == {"b", "w@20261202T180000Z", "w@20261209T180000Z", "w@20261216T180000Z"}
    reports = [op for op in dav.log[seen:] if op.method == "REPORT"]
    assert len(reports) == (2 if sync else 1)  # one sync-collection (if any) and one multiget of the one new resource
    assert not [op for op in dav.log[seen:] if op.method == "GET"]

    assert dav.put(dav.at("interviews", "b.ics"), calendar(vevent("b", "20261203T100000", "20261203T110000", "Call moved #interview"))) in (201, 204)
    third = src.read(NOW)
    assert {e.uid: e.summary for e in third.events}["b"] == "Call moved #interview"  # an edited resource is read anew


def test_skips_calsyncs_own_followups_and_broken_events(tmp_path, dav, store):
    url = dav.make_calendar("interviews")
    own = calendar(vevent("x@calsync", "20261201T100000", "20261201T110000", "Thank-you #interview", extra="X-CALSYNC-KIND:thank_you"))
    assert dav.put(dav.at("interviews", "own.ics"), own) == 201
    assert dav.put(dav.at("interviews", "ok.ics"), calendar(vevent("ok", "20261201T100000", "20261201T110000"))) == 201
    snapshot = source(tmp_path, dav, url, store).read(NOW)
    assert [e.uid for e in snapshot.events] == ["ok"]


def test_a_forgotten_sync_token_means_a_full_listing_not_a_wipe(tmp_path, dav, store):
    url = dav.make_calendar("interviews")
    assert dav.put(dav.at("interviews", "a.ics"), calendar(vevent("a", "20261201T100000", "20261201T110000"))) == 201
    src = source(tmp_path, dav, url, store)
    accept(store, src, src.read(NOW))
    listing = Listing.load(store.source_state("nc")[2])
    forgotten = re.sub(r"[0-9a-f]{16,}$", lambda m: "0" * len(m.group()), listing.token)  # the server's shape, a state it never had
    assert forgotten != listing.token
    listing.token = forgotten
    store.source_ok("nc", NOW, "", "", listing.dump(), 1)
    assert dav.put(dav.at("interviews", "b.ics"), calendar(vevent("b", "20261202T100000", "20261202T110000"))) == 201
    snapshot = src.read(NOW)
    assert {e.uid for e in snapshot.events} == {"a", "b"}
    after = Listing.load(snapshot.body)
    assert after.mode == "sync" and after.token not in ("", forgotten)  # listed again by sync-collection, not given up on


def test_wrong_password_is_an_auth_error_naming_the_account(tmp_path, radicale, store):
    url = radicale.make_calendar("interviews")
    with pytest.raises(AuthError, match=rf"CalDAV {USER}@127\.0\.0\.1:{radicale.port} refused the login"):
        source(tmp_path, radicale, url, store, password="wrong").read(NOW)


def test_a_missing_password_file_says_where_it_should_be(tmp_path, radicale, store, monkeypatch):
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    src = CaldavSource("nc", radicale.url, DavConnection(Account(radicale.url, USER, ""), 2, 2), LA, store)
    with pytest.raises(AuthError, match=r"creds/caldav-password"):
        src.read(NOW)


def test_source_that_fails_or_empties_keeps_its_snapshot_then_recovers(tmp_path, radicale):
    url = radicale.make_calendar("interviews")
    for i in range(3):
        radicale.put(f"/robin/interviews/{i}.ics", calendar(vevent(f"iv{i}", f"2026120{i + 1}T100000", f"2026120{i + 1}T110000")))
    sources = [{"name": "nc", "type": "caldav", "url": url, "username": USER, "password_file": str(tmp_path / "caldav-password"), "interval": "1s"}]
    config = caldav_config(tmp_path, radicale, sources=sources, sink=False)
    rt = open_runtime(config)
    connection = rt.engine.polled["nc"].source.connection
    connection.base_delay, connection.timeouts = 0.001, (0.5, 0.5)  # the test's patience, not calsync's
    try:
        assert rt.engine.tick(NOW).interviews == 3
        radicale.pause()  # the server is down for a pass: requests time out
        report = rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
        assert report.failed_sources == ["nc"] and report.interviews == 3 and report.deleted == 0
        assert "try again later" in rt.store.source_health()[0][2]
        radicale.resume()
        for i in range(3):
            radicale.delete(f"/robin/interviews/{i}.ics")
        report = rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
        assert report.failed_sources == ["nc"] and report.interviews == 3  # suddenly empty: the last good snapshot stays
        radicale.put("/robin/interviews/3.ics", calendar(vevent("iv3", "20261204T100000", "20261204T110000")))
        report = rt.engine.tick(NOW + dt.timedelta(minutes=3), poll_all=True)
        assert not report.failed_sources and report.interviews == 1
    finally:
        rt.store.close()


def test_transient_server_errors_are_retried(tmp_path, radicale, store):
    from tests.caldav.radicale_server import Fault

    url = radicale.make_calendar("interviews")
    radicale.put("/robin/interviews/a.ics", calendar(vevent("a", "20261201T100000", "20261201T110000")))
    radicale.faults.append(Fault(503, lambda op: op.method == "REPORT", times=1))
    assert [e.uid for e in source(tmp_path, radicale, url, store).read(NOW).events] == ["a"]
    radicale.faults.append(Fault(502, lambda op: op.method == "REPORT", times=None))
    with pytest.raises(TransientError, match="HTTP 502"):
        source(tmp_path, radicale, url, store).read(NOW)


def test_plan_reads_a_caldav_source_and_writes_nothing(tmp_path, dav, capsys):
    import json

    from calsync.cli import main

    url = dav.make_calendar("interviews")
    assert dav.put(dav.at("interviews", "a.ics"), calendar(vevent("a", "20261201T100000", "20261201T110000", "Onsite #interview"))) == 201
    password_file(tmp_path)
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n[[sources]]\nname = "nc"\ntype = "caldav"\n'
                      f'url = "{url}"\nusername = "{USER}"\npassword_file = "caldav-password"\n')
    setup = len(dav.log)
    assert main(["--config", str(config), "plan", "--json", "--now", "2026-11-25T12:00"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert {(f["interview"], f["kind"]) for f in plan["followups"]} == {("a", "thank_you"), ("a", "check_in"), ("a", "second_check_in")}
    assert not [op for op in dav.log[setup:] if op.method in ("PUT", "DELETE", "MKCALENDAR")]


def test_the_password_comes_from_the_credential_else_beside_the_configuration(tmp_path, monkeypatch):
    creds, conf = tmp_path / "creds", tmp_path / "conf"
    creds.mkdir()
    conf.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    account = Account("https://cal.example/dav/", USER, "", str(conf))
    with pytest.raises(AuthError, match="creds/caldav-password"):
        account.read_password()
    (creds / "caldav-password").write_text("\n")  # the unit's fallback when /etc/calsync/caldav-password is missing
    (conf / "caldav-password").write_text("beside the config\n")
    assert account.read_password() == "beside the config"
    (creds / "caldav-password").write_text("from systemd\n")
    assert account.read_password() == "from systemd"
    assert Account("https://cal.example/dav/", USER, str(conf / "caldav-password")).read_password() == "beside the config"
