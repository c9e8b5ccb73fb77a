"""Feed speed: full render of 30,000 follow-ups, re-render after one change, 304 latency, idle daemon cost.

Run: .venv/bin/python bench/bench_feed.py   (BENCH_FOLLOWUPS, BENCH_IDLE_SECONDS to change sizes)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calsync.core.model import Channel, FollowUp, Kind  # noqa: E402
from calsync.core.reconcile import content_hash, reconcile  # noqa: E402
from calsync.web.token import FeedToken  # noqa: E402
from calsync.web.server import start_feed_server  # noqa: E402
from calsync.ics.feed import IcsFeed  # noqa: E402
from calsync.ics.text import FeedStyle  # noqa: E402
from calsync.state import StateStore  # noqa: E402

N = int(os.environ.get("BENCH_FOLLOWUPS", "30000"))
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "20"))
LA = ZoneInfo("America/Los_Angeles")
BODY = ("Hi Jane,\n\nThank you for taking the time to speak with me on Tuesday about the Backend Engineer role at Acme. "
        "I enjoyed the conversation.\n\nBest regards,\nRobin")


def followups(n: int) -> list[FollowUp]:
    base = dt.datetime(2026, 12, 1, 10, tzinfo=LA)
    kinds = list(Kind)
    return [FollowUp(kind=kinds[i % 5], interview=f"iv-{i // 5}", start=base + dt.timedelta(hours=i % 2000),
                     end=base + dt.timedelta(hours=i % 2000, minutes=15), due=base + dt.timedelta(hours=i % 2000 + 6),
                     channel=Channel.EMAIL, summary=f"Follow-up {i}", description=BODY, source="bench") for i in range(n)]


def bench_render(tmp: Path) -> None:
    store = StateStore(tmp / "state.sqlite3", LA)
    feed = IcsFeed(store, tmp / "followups.ics", "America/Los_Angeles", "Bench", FeedStyle(), 3600)
    items = followups(N)
    desired = {f.id: (f, content_hash(f, False, feed.style_key)) for f in items}
    now = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    changes = reconcile(desired, feed.observed())
    t0 = time.perf_counter()
    feed.apply(changes, set(), now)
    t_serialize_store = time.perf_counter() - t0
    feed.render()  # the first call builds the VTIMEZONE once
    t0 = time.perf_counter()
    data = feed.render()
    t_render = time.perf_counter() - t0
    print(f"full publish of {N} follow-ups: serialize + record in SQLite {t_serialize_store:.2f} s, "
          f"render {t_render * 1000:.0f} ms, {len(data) // 1024} KiB (target: full render < 0.5 s)")
    from calsync.ics.text import render_followup

    t0 = time.perf_counter()
    for f in items:
        render_followup(f, 0, now, False, FeedStyle())
    t_full = time.perf_counter() - t0 + t_render
    print(f"full render from nothing (serialize every event + assemble): {t_full:.3f} s")
    feed.flush()
    runs, reconciles = [], []
    for i in range(10):
        changed = items[i * 7]
        moved = dataclasses.replace(changed, summary=f"changed {i}")
        desired[moved.id] = (moved, content_hash(moved, False, feed.style_key))
        t0 = time.perf_counter()
        changes = reconcile(desired, feed.observed())
        t1 = time.perf_counter()
        feed.apply(changes, set(), now)
        feed.render()
        runs.append(time.perf_counter() - t1)
        reconciles.append(t1 - t0)
    print(f"re-render after one change (serialize it, record it in SQLite, render the feed): median "
          f"{statistics.median(runs) * 1000:.1f} ms, max {max(runs) * 1000:.1f} ms (target < 50 ms); "
          f"reconciling 30,000 desired against state before it: median {statistics.median(reconciles) * 1000:.1f} ms")
    render_only = []
    for _ in range(10):
        t0 = time.perf_counter()
        feed.render()
        render_only.append(time.perf_counter() - t0)
    print(f"render alone (cached event bytes): median {statistics.median(render_only) * 1000:.1f} ms")
    store.close()


def bench_304(tmp: Path) -> None:
    store = StateStore(tmp / "state.sqlite3", LA)
    token = FeedToken(store, tmp).ensure()
    server, _ = start_feed_server("127.0.0.1", 0, tmp / "followups.ics", tmp / "state.sqlite3", 32, 10)
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    conn.request("GET", f"/{token}/followups.ics")
    response = conn.getresponse()
    etag = response.getheader("ETag")
    response.read()
    conn.close()
    times = []
    for _ in range(2000):
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        conn.request("GET", f"/{token}/followups.ics", headers={"If-None-Match": etag})
        response = conn.getresponse()
        response.read()
        conn.close()
        times.append(time.perf_counter() - t0)
        assert response.status == 304
    times.sort()
    print(f"304 answers over loopback (new connection each): p50 {times[len(times) // 2] * 1000:.2f} ms, "
          f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms (target p99 < 5 ms)")
    server.shutdown()
    server.server_close()
    store.close()


def bench_idle_daemon(tmp: Path) -> None:
    config = tmp / "idle.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp / "idle-state"}"\npoll_interval = "5m"\n'
                      f'[[sources]]\nname = "sample"\npath = "{ROOT / "config" / "sample-interviews.ics"}"\ninterval = "5m"\n'
                      f'[feed]\nport = 0\n')
    proc = subprocess.Popen([sys.executable, "-m", "calsync", "--config", str(config), "run"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)  # start-up and the first pass
        def cpu() -> float:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        before = cpu()
        time.sleep(IDLE)
        used = cpu() - before
        rss = next(line for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines() if line.startswith("VmRSS"))
        print(f"idle `calsync run`: {used:.2f} CPU s over {IDLE:.0f} idle s "
              f"(target < 0.2 over 60 s); {rss.split(':')[1].strip()} RSS (target < 60 MB)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_render(Path(tmp))
        bench_304(Path(tmp))
        bench_idle_daemon(Path(tmp))


if __name__ == "__main__":
    main()
