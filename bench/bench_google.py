"""Google Calendar costs against the fake: requests per idle poll, per new follow-up, 1,000 new interviews,
and the CPU of 3,000 inserts now versus the old way (a discovery Resource per write, a commit per row), in one run.

Run: .venv/bin/python bench/bench_google.py   (BENCH_GOOGLE_INTERVIEWS to change the size)
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

from calsync.core.detect import Seen  # noqa: E402
from calsync.core.model import SourceEvent  # noqa: E402
from calsync.core.reconcile import content_hash, reconcile  # noqa: E402
from calsync.google.auth import load_credentials, sink_scopes  # noqa: E402
from calsync.google.client import build_service  # noqa: E402
from calsync.google.sink import GoogleCalendarSink  # noqa: E402
from calsync.planner import build_plan  # noqa: E402
from calsync.runtime import open_runtime  # noqa: E402
from calsync.state import StateStore  # noqa: E402
from tests.fake_google import FakeGoogle, serve_fake  # noqa: E402
from tests.google.conftest import gevent, google_config  # noqa: E402

N = int(os.environ.get("BENCH_GOOGLE_INTERVIEWS", "1000"))
LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LA)


def main() -> None:
    fake = FakeGoogle()
    server, endpoint = serve_fake(fake)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(N):
            fake.put_event("primary", gevent(f"bench{i:05d}", 1 + i % 28, hour=8 + i % 9))
        rt = open_runtime(google_config(Path(tmp), endpoint))
        t0 = time.perf_counter()
        report = rt.engine.tick(NOW)
        elapsed = time.perf_counter() - t0
        writes = [op for op in fake.log if op.method == "POST" and op.path.endswith("/events")]
        http = len(fake.http_requests)
        batches = fake.http_requests.count("POST /batch/calendar/v3")
        print(f"{N} new interviews -> {report.followups} follow-ups written in {batches} batch requests "
              f"({len(writes)} inserts, {http} HTTP requests in all incl. listing {N} source events): {elapsed:.2f} s, "
              f"{batches / max(1, len(writes)):.3f} HTTP write requests per follow-up")
        before_http, before_ops = len(fake.http_requests), len(fake.log)
        rt.engine.tick(NOW + dt.timedelta(minutes=1), poll_all=True)
        print(f"idle poll, nothing changed: {len(fake.http_requests) - before_http} HTTP request(s) for 1 source calendar, "
              f"{len(fake.log) - before_ops} API operation(s)")
        fake.put_event("primary", gevent("onemore", 3, summary="Application #applied"))
        before_http, before_ops = len(fake.http_requests), len(fake.log)
        rt.engine.tick(NOW + dt.timedelta(minutes=2), poll_all=True)
        ops = fake.log[before_ops:]
        inserts = [op for op in ops if op.method == "POST"]
        reads = [op for op in ops if op.method == "GET" and "syncToken" not in op.query]
        print(f"one new follow-up: {len(inserts)} write(s), {len(reads)} read(s) besides the 1 incremental list "
              f"({len(fake.http_requests) - before_http} HTTP requests in all)")
        rt.store.close()
    server.shutdown()


class OldWaySink(GoogleCalendarSink):
    """The sink as it was: a discovery Resource built for every write, one commit per recorded row."""

    def _events_api(self):  # type: ignore[no-untyped-def]
        return self._api().events()

    def _record(self, rows, now):  # type: ignore[no-untyped-def]
        for row in rows:
            self.store.put_published(row, now)


def insert_cpu(sink_class: type, count: int) -> tuple[float, int]:
    """CPU seconds of calsync's own thread (the fake server's threads excluded) to insert ``count`` follow-ups."""
    fake = FakeGoogle()
    server, endpoint = serve_fake(fake)
    with tempfile.TemporaryDirectory() as tmp:
        config = google_config(Path(tmp), endpoint, sources=[])
        store = StateStore(Path(tmp) / "state.sqlite3", LA)
        sink = sink_class(config, store, lambda: build_service(config, load_credentials(config, needs=sink_scopes(config))))
        events = [SourceEvent(uid=f"iv{i}", summary="Onsite #interview", description="",
                              start=dt.datetime(2026, 12, 1 + i % 28, 8 + i % 9, tzinfo=LA),
                              end=dt.datetime(2026, 12, 1 + i % 28, 9 + i % 9, tzinfo=LA)) for i in range(count // 3)]
        plan = build_plan(events, config.plan, Seen(NOW, {}, {})).plan
        changes = reconcile({f.id: (f, content_hash(f, False, sink.style_key)) for f in plan.followups}, {})
        sink._ensure_calendar()
        t0 = time.thread_time()
        sink.apply(changes, set(), NOW)
        cpu = time.thread_time() - t0
        written = len(fake.live_events(sink.calendar_id))
        store.close()
    server.shutdown()
    server.server_close()
    return cpu, written


def inserts() -> None:
    count = int(os.environ.get("BENCH_GOOGLE_INSERTS", "3000"))
    now_cpu, now_written = insert_cpu(GoogleCalendarSink, count)
    old_cpu, old_written = insert_cpu(OldWaySink, count)
    assert now_written == old_written == count, (now_written, old_written)
    print(f"{count} Google inserts: {now_cpu:.2f} s CPU (target <= 3 s); the old way (a Resource per write, a commit per row) "
          f"{old_cpu:.2f} s in the same run: {now_cpu / old_cpu:.2f}x")


if __name__ == "__main__":
    main()
    inserts()
