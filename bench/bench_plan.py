"""Planning speed: the pure core on 10,000 interviews, `calsync plan` end to end, `calsync --help`.

Run: .venv/bin/python bench/bench_plan.py   (BENCH_INTERVIEWS=N to change the size)
"""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calsync.config import build_config  # noqa: E402
from calsync.core.detect import Seen  # noqa: E402
from calsync.core.model import SourceEvent  # noqa: E402
from calsync.planner import build_plan  # noqa: E402

N = int(os.environ.get("BENCH_INTERVIEWS", "10000"))
LA = ZoneInfo("America/Los_Angeles")
TEXTS = ["", "We'll be in touch by Friday.", "Hear back within two weeks", "Decision by: 2027-03-01", "No phone calls please",
         "Outcome: rejected 2027-02-01", "#form-rejection", "Contact: Jo Park <jo@x.example>\nCompany: Acme\nRole: SRE"]


def make_events(n: int) -> list[SourceEvent]:
    rng = random.Random(7)
    base = dt.datetime(2026, 12, 1, 9, 0, tzinfo=LA)
    events = []
    for i in range(n):
        start = base + dt.timedelta(days=rng.randrange(0, 365), minutes=15 * rng.randrange(0, 36))
        events.append(SourceEvent(uid=f"bench-{i}", summary=f"Interview {i} #interview", description=rng.choice(TEXTS),
                                  start=start, end=start + dt.timedelta(hours=1)))
    return events


def ics_text(events: list[SourceEvent]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calsync bench//EN"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", "DTSTAMP:20261101T000000Z",
                  f"DTSTART;TZID=America/Los_Angeles:{e.start:%Y%m%dT%H%M%S}", f"DTEND;TZID=America/Los_Angeles:{e.end:%Y%m%dT%H%M%S}",
                  f"SUMMARY:{e.summary}", "DESCRIPTION:" + e.description.replace("\n", "\\n"), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    events = make_events(N)
    settings = build_config({"timezone": "America/Los_Angeles"}).plan
    now = dt.datetime(2026, 11, 25, tzinfo=LA)
    build_plan(events[:50], settings, Seen(now, {}, {}))  # warm the holiday caches
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = build_plan(events, settings, Seen(now, {}, {}))
        runs.append(time.perf_counter() - t0)
    print(f"core: planned {N} interviews -> {len(result.plan.followups)} follow-ups: "
          f"median {statistics.median(runs):.3f} s, best {min(runs):.3f} s (target < 1 s)")

    calsync = [sys.executable, "-m", "calsync"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ics"
        path.write_text(ics_text(events))
        t0 = time.perf_counter()
        done = subprocess.run([*calsync, "plan", "--source", str(path), "--now", now.isoformat(), "--json"],
                              capture_output=True, env={**os.environ, "TZ": "America/Los_Angeles"})
        elapsed = time.perf_counter() - t0
        assert done.returncode == 0, done.stderr.decode()
        print(f"end to end: `calsync plan --json` on a {path.stat().st_size // 1024} KiB calendar of {N} interviews: {elapsed:.2f} s")

    helps = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([*calsync, "--help"], capture_output=True, check=True)
        helps.append(time.perf_counter() - t0)
    print(f"`calsync --help`: median {statistics.median(helps) * 1000:.0f} ms over 7 runs (target < 150 ms)")


if __name__ == "__main__":
    main()
