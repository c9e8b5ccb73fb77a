"""Feed speed: full render of 30,000 follow-ups, re-render after one change, 304 and 200 latency at 20 concurrent
clients (the client in its own process, measured against a trivial server in the same run), normal requests under
slowloris, idle daemon cost.

Run: .venv/bin/python bench/bench_feed.py   (BENCH_FOLLOWUPS, BENCH_CLIENTS, BENCH_SLOWLORIS_SECONDS, BENCH_IDLE_SECONDS,
     BENCH_PARTS=serve,slowloris,idle: which parts run after the render, BENCH_BASELINE=<checkout>: its server too)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import socket
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
from calsync.ics.feed import IcsFeed  # noqa: E402
from calsync.ics.text import FeedStyle  # noqa: E402
from calsync.state import StateStore  # noqa: E402

N = int(os.environ.get("BENCH_FOLLOWUPS", "30000"))
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SLOWLORIS_SECONDS = float(os.environ.get("BENCH_SLOWLORIS_SECONDS", "30"))
BASELINE = os.environ.get("BENCH_BASELINE", "")  # another checkout whose server is measured alongside
PARTS = os.environ.get("BENCH_PARTS", "serve,slowloris,idle").split(",")
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


SERVER = """
import sys, threading
from pathlib import Path
from calsync.web.server import start_feed_server
tmp = Path(sys.argv[1])
server, thread = start_feed_server("127.0.0.1", 0, tmp / "followups.ics", tmp / "state.sqlite3", 32, 10.0)
if sys.argv[2:] == ["busy"]:  # a planning pass in the same process, as in `calsync run`: pure-Python work holding the GIL
    def plan_forever():
        while True:
            sum(i * i for i in range(1000))
    threading.Thread(target=plan_forever, daemon=True).start()
print(server.port, flush=True)
sys.stdin.read()
server.shutdown()
"""


def listen_overflows() -> int:
    lines = Path("/proc/net/netstat").read_text().splitlines()
    names, values = lines[0].split(), lines[1].split()
    return int(values[names.index("ListenOverflows")])


def run_clients(port: int, path: str, headers: dict[str, str], clients: int, per_client: int, mode: str,
                expect: int) -> list[float]:
    """Latencies (s, sorted) measured by bench/feedload.py in its own process: ``clients`` connections driven by one
    thread, in ``mode`` (burst|closed)-(keep|new); see that module."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "feedload.py"), str(port), mode, str(clients),
                          str(per_client), str(expect), request.encode().hex()], check=True, capture_output=True, text=True)
    return sorted(float(line) for line in out.stdout.split())


def figures(times: list[float]) -> str:
    return (f"p50 {times[len(times) // 2] * 1000:.2f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms, "
            f"max {times[-1] * 1000:.1f} ms")


def p99(times: list[float]) -> float:
    return times[int(len(times) * 0.99)]


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


MODES = {"burst-keep": "in bursts, keep-alive", "burst-new": "in bursts, new connection each",
         "closed-keep": "back to back, keep-alive", "closed-new": "back to back, new connection each"}


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_concurrent(tmp: Path) -> None:
    """The feed written by bench_render (30,000 follow-ups), served by a separate process, 20 clients at once; the
    same client against a trivial one-thread server in the same run, so the client's own share is known. With
    BENCH_BASELINE=<another checkout>, that checkout's server is measured too, interleaved: before/after, one run."""
    store = StateStore(tmp / "state.sqlite3", LA)
    token = FeedToken(store, tmp).ensure()
    store.close()
    procs = {"trivial": subprocess.Popen([sys.executable, str(ROOT / "bench" / "feedload.py"), "trivial"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)}
    if BASELINE:
        procs["before"] = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp)], cwd=BASELINE, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": BASELINE})
    procs["now"] = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp)], cwd=ROOT, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        ports = {name: int(proc.stdout.readline()) for name, proc in procs.items()}  # type: ignore[union-attr]
        servers = [name for name in procs if name != "trivial"]
        path = f"/{token}/followups.ics"
        conn = http.client.HTTPConnection("127.0.0.1", ports["now"])
        conn.request("GET", path)
        first = conn.getresponse()
        size = len(first.read())
        etag = first.getheader("ETag")
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        zipped = conn.getresponse()
        gz_size = len(zipped.read())
        conn.close()
        print(f"feed of {N} follow-ups: {size // 1024} KiB, {gz_size // 1024} KiB gzipped (compressed once per change)")
        overflows = listen_overflows()
        for mode, label in MODES.items():
            floor = run_clients(ports["trivial"], path, {"If-None-Match": etag}, CLIENTS, 200, mode, 304)
            print(f"304, {CLIENTS} concurrent clients {label} (target p99 <= 5 ms, max <= 50 ms), {load_average()}:")
            print(f"  the client against a trivial server: {figures(floor)}")
            for name in servers:
                cpu = server_cpu(procs[name].pid)
                times = run_clients(ports[name], path, {"If-None-Match": etag}, CLIENTS, 200, mode, 304)
                cpu = server_cpu(procs[name].pid) - cpu
                print(f"  {name:6}: {figures(times)}; p99 {p99(times) / p99(floor):.1f}x the trivial server's; "
                      f"server CPU {cpu / len(times) * 1e6:.0f} us/request, {load_average()}")
        print(f"304 in bursts, keep-alive, while a pure-Python thread runs in the server's process (a planning pass "
              f"in `calsync run`):")
        for name in servers:
            busy = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp), "busy"], cwd=BASELINE if name == "before" else ROOT, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True,
                                    env={**os.environ, "PYTHONPATH": str(BASELINE if name == "before" else ROOT)})
            try:
                times = run_clients(int(busy.stdout.readline()), path, {"If-None-Match": etag}, CLIENTS, 100,  # type: ignore[union-attr]
                                    "burst-keep", 304)
                print(f"  {name:6}: {figures(times)}, {load_average()}")
            finally:
                busy.stdin.close()  # type: ignore[union-attr]
                busy.wait(timeout=30)
        for label, headers, per_client in (("200 gzipped", {"Accept-Encoding": "gzip", "If-None-Match": '"stale"'}, 10),
                                           ("200 plain", {}, 3)):
            print(f"{label} ({(gz_size if 'gzip' in label else size) // 1024} KiB), {CLIENTS} concurrent clients "
                  f"back to back, keep-alive:")
            for name in servers:
                times = run_clients(ports[name], path, headers, CLIENTS, per_client, "closed-keep", 200)
                print(f"  {name:6}: {figures(times)}, {load_average()}")
        print(f"listen-queue overflows during these runs: {listen_overflows() - overflows} (backlog 128)")
    finally:
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=30)


def bench_slowloris(tmp: Path) -> None:
    """40 connections sending one header byte every 5 s while a normal client asks twice a second."""
    store = StateStore(tmp / "state.sqlite3", LA)
    token = FeedToken(store, tmp).ensure()
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    slow: list[socket.socket] = []
    try:
        port = int(proc.stdout.readline())  # type: ignore[union-attr]
        line = f"GET /{token}/followups.ics HTTP/1.1\r\nHost: x\r\nX-A: ".encode() + b"a" * 10_000
        sent: dict[int, int] = {}
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        served = asked = 0
        started = next_drip = time.monotonic()
        while time.monotonic() - started < SLOWLORIS_SECONDS:
            if time.monotonic() >= next_drip:
                next_drip += 5
                for i, sock in enumerate(slow):
                    try:
                        sock.sendall(line[sent.get(i, 0):sent.get(i, 0) + 1])
                        sent[i] = sent.get(i, 0) + 1
                    except OSError:
                        sock.close()
                        slow[i] = socket.create_connection(("127.0.0.1", port))
                        sent[i] = 0
            asked += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", f"/{token}/followups.ics", headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                served += response.status == 200
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.5)
        print(f"slowloris (40 connections, a header byte every 5 s, {SLOWLORIS_SECONDS:.0f} s): "
              f"{served} of {asked} normal requests served")
    finally:
        for sock in slow:
            sock.close()
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)


def bench_idle_daemon(tmp: Path) -> None:
    config = tmp / "idle.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp / "idle-state"}"\npoll_interval = "5m"\n'
                      f'[[sources]]\nname = "sample"\npath = "{ROOT / "calsync" / "data" / "sample-interviews.ics"}"\ninterval = "5m"\n'
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
        bench_render(Path(tmp))  # always: the others serve the feed it writes
        if "serve" in PARTS:
            bench_concurrent(Path(tmp))
        if "slowloris" in PARTS:
            bench_slowloris(Path(tmp))
        if "idle" in PARTS:
            bench_idle_daemon(Path(tmp))


if __name__ == "__main__":
    main()
