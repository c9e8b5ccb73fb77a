"""CalDAV costs against a real Radicale: requests and time per idle poll (sync-collection vs ctag/ETag vs a full
listing), per changed event, and for writing the follow-ups of N interviews.

Run: .venv/bin/python bench/bench_caldav.py   (BENCH_CALDAV_INTERVIEWS to change the size)
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calsync.caldav.dav import Account, DavConnection  # noqa: E402
from calsync.caldav.source import CaldavSource  # noqa: E402
from calsync.runtime import open_runtime  # noqa: E402
from calsync.state import StateStore  # noqa: E402
from tests.caldav.conftest import caldav_config, password_file  # noqa: E402
from tests.caldav.radicale_server import USER, Radicale  # noqa: E402
from tests.conftest import calendar, vevent  # noqa: E402

N = int(os.environ.get("BENCH_CALDAV_INTERVIEWS", "200"))
LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def event(i: int, summary: str = "Onsite #interview") -> bytes:
    day = 1 + i % 28
    return calendar(vevent(f"bench{i:05d}", f"202612{day:02d}T{8 + i % 9:02d}0000", f"202612{day:02d}T{9 + i % 9:02d}0000", summary))


def timed(radicale: Radicale, call) -> tuple[float, int, object]:  # type: ignore[no-untyped-def]
    seen = len(radicale.log)
    t0 = time.perf_counter()
    result = call()
    return time.perf_counter() - t0, len(radicale.log) - seen, result


def reads(tmp: Path, radicale: Radicale, url: str, hide_sync: bool) -> None:
    radicale.hide_sync = hide_sync
    with StateStore(tmp / f"state-{hide_sync}.sqlite3", LA) as store:
        connection = DavConnection(Account(radicale.url, USER, str(password_file(tmp))))
        source = CaldavSource("bench", url, connection, LA, store)
        full, full_requests, snapshot = timed(radicale, lambda: source.read(NOW))
        store.source_ok("bench", NOW, "", "", snapshot.body, len(snapshot.events))  # type: ignore[attr-defined]
        idle, idle_requests, _ = timed(radicale, lambda: source.read(NOW))
        assert radicale.put("/robin/interviews/bench00000.ics", event(0, f"Onsite moved {hide_sync} #interview")) in (201, 204)
        one, one_requests, _ = timed(radicale, lambda: source.read(NOW))
        mode = "ctag/ETag" if hide_sync else "sync-collection"
        print(f"{mode:16} first listing of {N} events: {full * 1000:7.1f} ms, {full_requests} requests; "
              f"idle poll {idle * 1000:6.1f} ms, {idle_requests} request(s) ({full / idle:.0f}x cheaper); "
              f"one changed event {one * 1000:6.1f} ms, {one_requests} requests")


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        radicale = Radicale(tmp / "radicale")
        try:
            url = radicale.make_calendar("interviews")
            for i in range(N):
                radicale.put(f"/robin/interviews/bench{i:05d}.ics", event(i))
            reads(tmp, radicale, url, hide_sync=False)
            reads(tmp, radicale, url, hide_sync=True)
            radicale.hide_sync = False
            config = caldav_config(tmp, radicale, sources=[{"name": "nc", "type": "caldav", "url": url, "username": USER,
                                                            "password_file": str(tmp / "caldav-password")}])
            rt = open_runtime(config)
            elapsed, requests, report = timed(radicale, lambda: rt.engine.tick(NOW))
            writes = sum(1 for op in radicale.log[-requests:] if op.method == "PUT")
            print(f"writing: {report.followups} follow-ups as {writes} PUTs in {elapsed:.2f} s "  # type: ignore[attr-defined]
                  f"({elapsed / max(writes, 1) * 1000:.1f} ms per follow-up, {requests} requests in all)")
            idle, idle_requests, _ = timed(radicale, lambda: rt.engine.tick(NOW + dt.timedelta(minutes=5), poll_all=True))
            print(f"idle pass with the sink: {idle * 1000:.1f} ms, {idle_requests} request(s)")
            rt.store.close()
        finally:
            radicale.close()


if __name__ == "__main__":
    main()
