"""Google Calendar costs against the fake: requests per idle poll, per new follow-up, 1,000 new interviews.

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

from calsync.runtime import open_runtime  # noqa: E402
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


if __name__ == "__main__":
    main()
