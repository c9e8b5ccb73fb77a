"""The CalDAV sink through the engine against real servers: user edits and deletions win, foreign resources stay.

Tests taking `dav` run against Radicale and Xandikos; those taking `radicale` inject faults, which need one server only.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calsync.caldav.render import written_hash
from calsync.caldav.sink import CALENDAR_META, DEGRADED_META, SINK
from calsync.cli import main
from calsync.core.reconcile import Ownership
from calsync.runtime import open_runtime
from tests.caldav.conftest import caldav_config
from tests.caldav.radicale_server import Fault
from tests.conftest import calendar, vevent

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def followups(server):
    """The follow-up calendar calsync makes in the server's calendar home."""
    return server.at("calsync-followups")


def setup(tmp_path, server, events, state="state", **caldav):
    ics = tmp_path / "interviews.ics"
    ics.write_bytes(calendar(*events))
    config = caldav_config(tmp_path, server, sources=[{"name": "cal", "path": str(ics), "interval": "1s"}],
                           state_dir=str(tmp_path / state), **caldav)
    rt = open_runtime(config)
    for sink in rt.engine.sinks:
        if sink.name == SINK:
            sink.connection.base_delay, sink.connection.timeouts = 0.001, (1.0, 1.0)  # the test's patience, not calsync's
    return rt, ics


def live(server, kind="VEVENT"):
    """UID -> SUMMARY of every component of ``kind`` in the follow-up calendar."""
    found = {}
    for data in server.resources(followups(server)).values():
        for component in icalendar.Calendar.from_ical(data).walk(kind):
            found[str(component["UID"])] = str(component["SUMMARY"])
    return found


def interview(uid="iv1", day=1, extra=""):
    return vevent(uid, f"202612{day:02d}T100000", f"202612{day:02d}T110000", "Onsite #interview", extra=extra)


@pytest.fixture
def runtime(request, tmp_path):
    """Runtimes writing into the test's server: `dav` (each real server) or `xandikos` if the test asks for it, else `radicale`."""
    server = request.getfixturevalue(next((f for f in ("dav", "xandikos") if f in request.fixturenames), "radicale"))
    made = []

    def make(events, **caldav):
        rt, ics = setup(tmp_path, server, events, **caldav)
        made.append(rt)
        return rt, ics

    yield make
    for rt in made:
        rt.store.close()


def test_writes_events_with_alarms_and_uids_as_in_the_feed(dav, runtime):
    rt, _ = runtime([interview()])
    report = rt.engine.tick(NOW)
    assert report.created == 6 and not report.auth_error  # 3 in the feed, 3 in CalDAV
    uids = set(live(dav))
    assert len(uids) == 3 and all(uid.endswith("@calsync") for uid in uids)
    assert uids == {f"{fid}@calsync" for fid in rt.store.published("feed")}
    assert {name[:-4] for name in dav.resources(followups(dav))} == {uid[:-8] for uid in uids}
    data = next(iter(dav.resources(followups(dav)).values())).decode()
    assert "BEGIN:VALARM" in data and "TRIGGER:-PT15M" in data
    assert rt.engine.tick(NOW + dt.timedelta(minutes=1)).created == 0
    puts = [op for op in dav.log if op.method == "PUT"]
    assert len(puts) == 3 and all(op.headers.get("If-None-Match") == "*" for op in puts)


def test_reschedule_updates_with_if_match_and_a_user_edit_wins(dav, runtime):
    rt, ics = runtime([interview()])
    rt.engine.tick(NOW)
    rows = rt.store.published(SINK)
    edited = next(fid for fid, row in rows.items() if row.kind == "thank_you")
    path = f"{followups(dav)}{edited}.ics"
    mine = dav.get(path).replace(b"SUMMARY:", b"SUMMARY:My own words - ")
    assert dav.put(path, mine) in (201, 204)
    ics.write_bytes(calendar(interview(day=2)))  # rescheduled: every follow-up moves
    report = rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert report.updated == 6  # the feed's 3 and CalDAV's 3 (one of which the user's edit wins)
    summaries = live(dav)
    assert summaries[f"{edited}@calsync"].startswith("My own words - ")
    assert rt.store.published(SINK)[edited].status == Ownership.USER_EDITED.value
    updates = [op for op in dav.log if op.method == "PUT" and "If-Match" in op.headers]
    assert len(updates) == 3
    for fid, row in rt.store.published(SINK).items():
        if fid != edited:
            assert row.status == Ownership.MANAGED.value and row.sequence == 1
            assert b"SEQUENCE:1\r\n" in dav.get(f"{followups(dav)}{fid}.ics")
    ics.write_bytes(calendar(interview(day=3)))
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert live(dav)[f"{edited}@calsync"].startswith("My own words - ")  # never touched again


def test_a_follow_up_the_user_deleted_is_never_written_again(dav, runtime):
    rt, ics = runtime([interview()])
    rt.engine.tick(NOW)
    gone = next(iter(rt.store.published(SINK)))
    assert dav.delete(f"{followups(dav)}{gone}.ics") in (200, 204)
    for day in (2, 3):
        ics.write_bytes(calendar(interview(day=day)))
        rt.engine.tick(NOW + dt.timedelta(minutes=day), poll_all=True)
    assert f"{gone}@calsync" not in live(dav) and len(live(dav)) == 2
    assert rt.store.published(SINK)[gone].status == Ownership.USER_DELETED.value


def test_a_cancelled_interview_removes_its_follow_ups_but_never_a_foreign_resource(dav, runtime):
    rt, ics = runtime([interview("iv1", 1), interview("iv2", 2)])
    rt.engine.tick(NOW)
    mine = calendar(vevent("dentist", "20261204T100000", "20261204T110000", "Dentist"))
    assert dav.put(f"{followups(dav)}dentist.ics", mine) == 201
    ics.write_bytes(calendar(interview("iv1", 1), interview("iv2", 2, extra="STATUS:CANCELLED")))
    report = rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert report.deleted == 6  # 3 from the feed, 3 from CalDAV
    assert len([u for u in live(dav) if u.endswith("@calsync")]) == 3 and "dentist" in live(dav)
    deletes = [op for op in dav.log if op.method == "DELETE"]
    assert len(deletes) == 3 and all(op.headers.get("If-Match") for op in deletes)


def test_a_deleted_follow_up_the_user_had_edited_stays(dav, runtime):
    rt, ics = runtime([interview("iv1", 1), interview("iv2", 2)])
    rt.engine.tick(NOW)
    fid = next(fid for fid, row in rt.store.published(SINK).items() if row.interview == "iv2")
    path = f"{followups(dav)}{fid}.ics"
    assert dav.put(path, dav.get(path).replace(b"SUMMARY:", b"SUMMARY:Kept - ")) in (201, 204)
    ics.write_bytes(calendar(interview("iv1", 1), interview("iv2", 2, extra="STATUS:CANCELLED")))
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert len(live(dav)) == 4 and live(dav)[f"{fid}@calsync"].startswith("Kept - ")
    assert rt.store.published(SINK)[fid].status == Ownership.USER_EDITED.value


def test_an_existing_calendar_is_found_by_name_or_used_by_url(tmp_path, dav, runtime):
    named = dav.make_calendar("Job search follow-ups", slug="named")
    rt, _ = runtime([interview()])
    rt.engine.tick(NOW)
    assert len(dav.resources(dav.at("named"))) == 3 and rt.store.get_meta(CALENDAR_META) == named
    given = dav.make_calendar("Elsewhere", slug="given")
    rt2, _ = runtime([interview()], state="state2", calendar_url=given, calendar_name="not used")
    rt2.engine.tick(NOW)
    assert len(dav.resources(dav.at("given"))) == 3
    assert [op.method for op in dav.log].count("MKCALENDAR") == 2  # the two this test made


def test_the_calendar_is_made_once_and_found_again_after_a_crash(dav, runtime):
    rt, _ = runtime([interview()])
    rt.engine.tick(NOW)
    rt.store.set_meta(CALENDAR_META, "")  # as if killed between MKCALENDAR and remembering it
    rt2, _ = runtime([interview("iv2", 2)])
    rt2.engine.tick(NOW)
    assert len([op for op in dav.log if op.method == "MKCALENDAR"]) == 1
    assert len(live(dav)) == 6


def test_quota_exhausted_is_degraded_with_one_clear_line_then_recovers(radicale, runtime, caplog):
    rt, _ = runtime([interview()])
    radicale.faults.append(Fault(507, lambda op: op.method == "PUT", times=None))
    report = rt.engine.tick(NOW)
    assert "out of storage (HTTP 507)" in (rt.store.get_meta(DEGRADED_META) or "")
    assert report.feed_written
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert sum("out of storage" in r.getMessage() for r in caplog.records) == 1
    radicale.faults.clear()
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert len(live(radicale)) == 3 and rt.store.get_meta(DEGRADED_META) == ""


def test_a_wrong_password_degrades_naming_the_account_and_one_shot_exits_77(tmp_path, radicale, runtime, capsys):
    rt, _ = runtime([interview()], password="wrong")
    report = rt.engine.tick(NOW)
    assert report.auth_error.startswith("CalDAV robin@127.0.0.1") and report.feed_written
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state2"}"\n'
                      f'[[sources]]\nname = "cal"\npath = "{tmp_path / "interviews.ics"}"\n'
                      f'[caldav]\nsink = true\nurl = "{radicale.url}"\nusername = "robin"\npassword_file = "caldav-password"\n')
    assert main(["--config", str(config), "run", "--once", "--now", "2026-11-25T12:00"]) == 77
    assert main(["--config", str(config), "status"]) == 0
    assert "CalDAV robin@127.0.0.1" in capsys.readouterr().out


def test_tasks_twin_each_follow_up_and_ticking_one_off_marks_it_done(dav, runtime):
    rt, _ = runtime([interview()], todos=True)
    rt.engine.tick(NOW)
    todos = live(dav, "VTODO")
    assert len(todos) == 3 and all(uid.endswith("-todo@calsync") for uid in todos)
    fid = next(fid for fid, row in rt.store.published(SINK).items() if row.kind == "thank_you")
    path = f"{followups(dav)}{fid}-todo.ics"
    data = dav.get(path).decode()
    assert "DUE;TZID=America/Los_Angeles:" in data and "STATUS:NEEDS-ACTION" in data
    ticked = data.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20261126T091500Z\r\nPERCENT-COMPLETE:100")
    assert dav.put(path, ticked.encode()) in (201, 204)  # what Nextcloud Tasks or tasks.org sends
    report = rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert fid in rt.store.done_ids() and report.updated >= 1
    assert live(dav)[f"{fid}@calsync"].startswith("✓ ")  # the event shows it done
    after = dav.get(path).decode()
    assert "COMPLETED:20261126T091500Z" in after and "PERCENT-COMPLETE:100" in after  # the task as the user left it
    assert rt.store.published("caldav-todo")[fid].status == Ownership.USER_EDITED.value
    seen = len(dav.log)
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert not [op for op in dav.log[seen:] if op.method in ("PUT", "DELETE")]  # and the loop is quiet


def test_tasks_go_to_their_own_calendar_when_asked(dav, runtime):
    tasks = dav.make_calendar("Tasks", ("VTODO",), slug="tasks")
    rt, ics = runtime([interview()], todos=True, todo_calendar_url=tasks)
    rt.engine.tick(NOW)
    assert len(dav.resources(dav.at("tasks"))) == 3 and len(live(dav)) == 3 and not live(dav, "VTODO")
    ics.write_bytes(calendar(interview("iv1", 1), interview("iv2", 2)))
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert len(dav.resources(dav.at("tasks"))) == 6 and len(live(dav)) == 6


def test_a_task_twin_that_failed_is_written_on_the_next_pass(radicale, runtime):
    rt, _ = runtime([interview()], todos=True)
    radicale.faults.append(Fault(409, lambda op: op.method == "PUT" and op.path.endswith("-todo.ics"), times=None))
    rt.engine.tick(NOW)
    assert len(live(radicale)) == 3 and not live(radicale, "VTODO")
    radicale.faults.clear()
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert len(live(radicale, "VTODO")) == 3
    puts = [op for op in radicale.log if op.method == "PUT" and op.headers.get("If-Match")]
    assert puts == []  # the events were not rewritten for their twins' sake


def test_the_server_down_for_a_pass_delays_the_writes_and_loses_nothing(radicale, runtime, caplog):
    rt, ics = runtime([interview()])
    rt.engine.tick(NOW)
    ics.write_bytes(calendar(interview("iv1", 1), interview("iv2", 2)))
    radicale.pause()  # connections are accepted by the kernel and never answered
    report = rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert report.feed_written and len(rt.store.published("feed")) == 6  # the feed goes on
    assert any("retried on the next pass" in r.getMessage() for r in caplog.records)
    radicale.resume()
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert len(live(radicale)) == 6
    assert all(row.status == Ownership.MANAGED.value for row in rt.store.published(SINK).values())


def test_the_calendar_home_is_discovered_through_well_known_when_the_url_is_not_a_principal(dav, runtime):
    rt, _ = runtime([interview()], url=dav.url + "robin/not-a-principal/")
    report = rt.engine.tick(NOW)
    assert not report.auth_error and len(live(dav)) == 3
    assert any(op.path == "/.well-known/caldav" for op in dav.log)


def test_what_calsync_writes_passes_each_servers_validation_and_reads_back(dav, runtime):
    """Text from a hostile source (controls, escapes, folding, non-ASCII) as events and tasks, then done: every write lands."""
    summary = "Onsite\\, Ünïcødé\\; Straße \\\\ \"q\" 🎉 at Éclair\x0b\x1b[31m Labs #interview"
    description = "Panel with Zoë Åberg\\nRoom 4\\; bring ID\x0c\x01 " + "long line ✓ " * 40
    rt, _ = runtime([vevent("iv1", "20261201T100000", "20261201T110000", summary, description, extra="LOCATION:Zürich\\, 3rd floor")],
                    todos=True)
    report = rt.engine.tick(NOW)
    assert not next(s for s in rt.engine.sinks if s.name == SINK).skipped and report.created == 6  # 3 in the feed, 3 in CalDAV (each an event and a task)
    events, todos = live(dav), live(dav, "VTODO")
    assert len(events) == 3 and len(todos) == 3
    assert all("Éclair" in s and "Ünïcødé" in s and "\x1b" not in s and "\x0b" not in s for s in (*events.values(), *todos.values()))
    fid = next(iter(rt.store.published(SINK)))
    rt.store.mark_done(fid, NOW)  # what `calsync done` records
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert live(dav)[f"{fid}@calsync"].startswith("✓ ") and live(dav, "VTODO")[f"{fid}-todo@calsync"].startswith("✓ ")
    assert all(row.status == Ownership.MANAGED.value for sink in (SINK, "caldav-todo") for row in rt.store.published(sink).values())
    seen = len(dav.log)
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)  # calsync's own ✓ on the task is not the user ticking it off
    assert all(row.status == Ownership.MANAGED.value for sink in (SINK, "caldav-todo") for row in rt.store.published(sink).values())
    assert not [op for op in dav.log[seen:] if op.method in ("PUT", "DELETE")]


def test_the_follow_up_calendar_is_found_from_the_root_the_principal_the_home_or_a_calendar(dav, runtime):
    """caldav.url may be any of these (README): each finds the one calendar calsync made, none makes a second."""
    other = dav.make_calendar("Work", slug="work")
    urls = [dav.url, f"{dav.url}robin/", dav.url.rstrip("/") + dav.home, other]
    for n, url in enumerate(urls):
        rt, _ = runtime([interview()], state=f"state{n}", url=url)
        report = rt.engine.tick(NOW)
        assert not report.auth_error and rt.store.get_meta(CALENDAR_META) == dav.url.rstrip("/") + followups(dav), url
    assert [op.method for op in dav.log].count("MKCALENDAR") == 2  # the test's own and calsync's first
    assert len(live(dav)) == 3 and not dav.resources(dav.at("work"))


def test_a_refused_mkcalendar_says_so_and_what_to_do_and_the_feed_goes_on(radicale, runtime, caplog):
    rt, _ = runtime([interview()])
    radicale.faults.append(Fault(403, lambda op: op.method == "MKCALENDAR", times=None))  # a home the user may not create in
    report = rt.engine.tick(NOW)
    assert report.feed_written and not report.auth_error  # the login worked: this is no password problem
    assert any("refused to create the calendar 'Job search follow-ups' (MKCALENDAR answered HTTP 403)" in r.getMessage()
               and "caldav.calendar_url" in r.getMessage() for r in caplog.records)
    assert "refused to create the calendar" in rt.store.get_meta(DEGRADED_META)  # `calsync status` shows it
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert sum("refused to create the calendar" in r.getMessage() for r in caplog.records) == 1  # said once, not every pass
    radicale.faults.clear()
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert len(live(radicale)) == 3 and rt.store.get_meta(DEGRADED_META) == ""


def test_a_calendar_that_refuses_tasks_is_said_once_a_pass_and_its_events_go_on(dav, runtime, caplog):
    if dav.name == "radicale":
        pytest.skip("Radicale stores any component whatever the calendar's supported-calendar-component-set; Xandikos refuses it (403)")
    rt, _ = runtime([interview()])  # tasks off: calsync makes an events-only calendar
    rt.engine.tick(NOW)
    rt, ics = runtime([interview()], state="state", todos=True)  # turned on later
    caplog.clear()
    ics.write_bytes(calendar(interview(day=2)))
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    refusals = [r.getMessage() for r in caplog.records if "does not take tasks (VTODO)" in r.getMessage()]
    assert len(refusals) == 1 and "caldav.todo_calendar_url" in refusals[0]
    assert len(live(dav)) == 3 and not live(dav, "VTODO")
    assert all(row.status == Ownership.MANAGED.value and row.sequence == 1 for row in rt.store.published(SINK).values())  # events moved
    tasks = dav.make_calendar("Tasks", ("VTODO",), slug="tasks")
    rt, _ = runtime([interview(day=2)], state="state", todos=True, todo_calendar_url=tasks)
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    assert len(dav.resources(dav.at("tasks"))) == 3


INVALID_DATA = (b'<error xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:valid-calendar-data />'
                b"<responsedescription>Not a valid calendar file</responsedescription></error>")  # as Xandikos answers, with 412


def test_data_the_server_refuses_with_412_is_retried_never_taken_for_a_user_edit(xandikos, runtime, caplog):
    rt, ics = runtime([interview()])
    first = lambda op: op.method == "PUT" and "If-None-Match" in op.headers  # noqa: E731
    xandikos.faults.append(Fault(412, first, times=1, body=INVALID_DATA))
    rt.engine.tick(NOW)
    assert len(live(xandikos)) == 2 and any("valid-calendar-data: Not a valid calendar file" in r.getMessage() for r in caplog.records)
    xandikos.faults.append(Fault(412, lambda op: op.method == "PUT" and "If-Match" in op.headers, times=None, body=INVALID_DATA))
    ics.write_bytes(calendar(interview(day=2)))
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert len(live(xandikos)) == 3  # the refused create was retried
    assert {row.status for row in rt.store.published(SINK).values()} == {Ownership.MANAGED.value}  # not the user's: still calsync's
    xandikos.faults.clear()
    rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
    rows = rt.store.published(SINK)
    assert {(row.status, row.payload) for row in rows.values()} == {(Ownership.MANAGED.value, None)}, rows  # all written at last
    assert sorted(row.sequence for row in rows.values()) == [0, 1, 1]  # the refused create was made with the moved content
    assert all(written_hash(xandikos.get(f"{followups(xandikos)}{fid}.ics").decode()) == row.hash for fid, row in rows.items())


def test_a_write_that_landed_but_answered_503_is_retried_and_stays_calsyncs(radicale, runtime):
    """The retry finds the first attempt's effect (412 on an update, 404 on a delete): calsync's own, not the user's doing."""
    rt, ics = runtime([interview("iv1", 1), interview("iv2", 2)])
    rt.engine.tick(NOW)
    lost = []

    def lose_first_write(op, status):
        if op.method in ("PUT", "DELETE") and "If-Match" in op.headers and status < 300 and op.method not in lost:
            lost.append(op.method)
            return 503
        return None

    radicale.answer_instead = lose_first_write
    ics.write_bytes(calendar(interview("iv1", 3), interview("iv2", 2, extra="STATUS:CANCELLED")))  # one moves, one is cancelled
    rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
    assert sorted(lost) == ["DELETE", "PUT"]
    rows = rt.store.published(SINK)
    assert {row.status for row in rows.values() if row.interview == "iv1"} == {Ownership.MANAGED.value}
    assert {row.status for row in rows.values() if row.interview == "iv2"} == {Ownership.REMOVED.value}
    assert len(live(radicale)) == 3
