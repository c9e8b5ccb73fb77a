"""kill -9 at each write calsync makes to a real Radicale (creates, then a reschedule's updates); restart; count.

One point also runs against Xandikos: an event's create landed, then the kill (the retry must adopt it, not duplicate it).

Five interviews with task twins: 15 follow-ups, 30 resources, every write kind (MKCALENDAR, create, update).

A representative subset runs by default; CALSYNC_CRASH_SWEEP=full runs every write of both passes;
CALSYNC_CRASH_SERVER=xandikos runs the chosen points against Xandikos instead of Radicale.
"""
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import icalendar
import pytest

from calsync.core.model import Kind, followup_id
from tests.caldav.conftest import password_file
from tests.caldav.radicale_server import USER, Radicale
from tests.caldav.xandikos_server import Xandikos
from tests.conftest import calendar, vevent

ROOT = Path(__file__).resolve().parents[2]
INTERVIEWS = [f"iv{i}" for i in range(5)]
EXPECTED = {followup_id("cal", uid, kind) for uid in INTERVIEWS for kind in (Kind.THANK_YOU, Kind.CHECK_IN, Kind.SECOND_CHECK_IN)}
WRITES = ("MKCALENDAR", "PUT", "DELETE")
CREATE_WRITES = 31  # MKCALENDAR, then 15 events and their 15 task twins
UPDATE_WRITES = 30  # moving every interview a week rewrites every event and task

ALL_POINTS = ([("create", n, "after") for n in range(1, CREATE_WRITES + 1)] + [("create", n, "before") for n in (1, 2, 3, CREATE_WRITES)]
              + [("update", n, "after") for n in range(1, UPDATE_WRITES + 1)] + [("update", n, "before") for n in (1, 2, UPDATE_WRITES)])
# By default: the calendar's creation, an event's create and update and a task's update, landed or never sent.
SHORT = {("create", 1, "after"), ("create", 2, "after"), ("create", 2, "before"),
         ("update", 1, "after"), ("update", 2, "after"), ("update", 1, "before")}
POINTS = ALL_POINTS if os.environ.get("CALSYNC_CRASH_SWEEP") == "full" else [p for p in ALL_POINTS if p in SHORT]
if os.environ.get("CALSYNC_CRASH_SERVER") == "xandikos":  # the sweep against Xandikos instead
    CASES = [(Xandikos, *p) for p in POINTS]
else:
    CASES = [(Radicale, *p) for p in POINTS] + [(Xandikos, "create", 2, "after")]


def write_interviews(ics, day_offset=0):
    ics.write_bytes(calendar(*(vevent(uid, f"202612{i + 1 + day_offset:02d}T100000", f"202612{i + 1 + day_offset:02d}T110000")
                               for i, uid in enumerate(INTERVIEWS))))


def write_setup(tmp_path, radicale):
    ics = tmp_path / "cal.ics"
    write_interviews(ics)
    password_file(tmp_path)
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "cal"\npath = "{ics}"\n'
                      f'[caldav]\nsink = true\nurl = "{radicale.url}"\nusername = "{USER}"\npassword_file = "caldav-password"\ntodos = true\n')
    return config, ics


def run_once(config):
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    return subprocess.Popen([sys.executable, "-m", "calsync", "--config", str(config), "run", "--once", "--now", "2026-11-25T12:00"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(config):
    proc = run_once(config)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err


def resources(server):
    """(UID, X-CALSYNC-HASH) of every component in the follow-up calendar, and the collections in the calendar home."""
    found = []
    for data in server.resources(server.at("calsync-followups")).values():
        for component in icalendar.Calendar.from_ical(data).walk():
            if component.name in ("VEVENT", "VTODO"):
                found.append((str(component["UID"]), str(component.get("X-CALSYNC-HASH", ""))))
    return found, server.collections()


@pytest.mark.parametrize("server_class, phase, kill_at, when", CASES, ids=[f"{c.name}-{p}-{w}-write{n}" for c, p, n, w in CASES])
def test_kill_9_then_restart_neither_duplicates_nor_loses(tmp_path, server_class, phase, kill_at, when):
    radicale = server_class(tmp_path / server_class.name)
    existing = radicale.collections()  # Xandikos starts with a default calendar
    radicale.server.handle_error = lambda request, address: None  # a killed client resets its connection: expected here
    try:
        config, ics = write_setup(tmp_path, radicale)
        if phase == "update":
            finish(config)
            write_interviews(ics, day_offset=7)  # every interview moves a week: every follow-up is rewritten
        writes, killed, lock = [], [], threading.Lock()
        proc = run_once(config)

        def kill(op):
            with lock:
                if op.method not in WRITES or killed:
                    return False
                writes.append(op)
                if len(writes) == kill_at:
                    killed.append(op)
                    os.kill(proc.pid, signal.SIGKILL)
                    return True
                return False

        if when == "after":
            radicale.after = lambda op, status: kill(op)
        else:
            radicale.before = kill
        proc.wait(timeout=120)
        radicale.before = radicale.after = None
        assert killed and proc.returncode == -signal.SIGKILL, proc.stderr.read()

        finish(config)
        found, collections = resources(radicale)
        assert [c for c in collections if c not in existing] == ["calsync-followups"], "a second follow-up calendar was made"
        uids = [uid for uid, _ in found]
        assert len(uids) == len(set(uids)) == 2 * len(EXPECTED), "duplicates or losses"
        assert {u for u in uids if not u.endswith("-todo@calsync")} == {f"{fid}@calsync" for fid in EXPECTED}
        assert {u for u in uids if u.endswith("-todo@calsync")} == {f"{fid}-todo@calsync" for fid in EXPECTED}

        from calsync.state import StateStore
        from zoneinfo import ZoneInfo

        with StateStore(tmp_path / "state" / "state.sqlite3", ZoneInfo("UTC")) as store:
            rows = {**{f"{fid}@calsync": r for fid, r in store.published("caldav").items()},
                    **{f"{fid}-todo@calsync": r for fid, r in store.published("caldav-todo").items()}}
        assert {uid: r.status for uid, r in rows.items()} == {uid: "managed" for uid in uids}, "calsync let go of its own writes"
        assert {uid: rows[uid].hash for uid in uids} == dict(found), "a follow-up is left with stale content"

        seen = len(radicale.log)
        finish(config)  # and a third run has nothing left to do
        assert [op for op in radicale.log[seen:] if op.method in WRITES] == []
    finally:
        radicale.close()
