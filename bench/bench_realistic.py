"""A realistic 10k-event calendar (bench/realistic.py): every figure a ratio or a cost measured in this one run.

Run: .venv/bin/python bench/bench_realistic.py   (BENCH_EVENTS=N, BENCH_IDLE_SECONDS=S to change)
"""
from __future__ import annotations

import os
import resource
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import realistic_calendar  # noqa: E402

N = int(os.environ.get("BENCH_EVENTS", "10000"))
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
CALSYNC = [sys.executable, "-m", "calsync"]


def child_cpu(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode in (0, 66), done.stderr.decode()[-2000:]
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_first_pass(notify: socket.socket, daemon: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the daemon's first pass is done: its first STATUS= after READY=1 (sd_notify), never a degraded one."""
    while time.monotonic() < deadline and daemon.poll() is None:
        if not select.select([notify], [], [], 1.0)[0]:
            continue
        fields = dict(line.split("=", 1) for line in notify.recv(4096).decode().splitlines() if "=" in line)
        if "READY" in fields or "STATUS" not in fields:
            continue
        if fields["STATUS"].startswith("degraded"):
            raise SystemExit(f"daemon: {fields['STATUS']}")
        return
    raise SystemExit(f"daemon: no first pass (exit code {daemon.poll()})")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cal = root / "cal.ics"
        cal.write_bytes(realistic_calendar(N))
        # As installed: bytecode cached (this machine sets PYTHONDONTWRITEBYTECODE, which recompiles every start).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TZ="America/Los_Angeles", STATE_DIRECTORY=str(root / "state"))
        subprocess.run([*CALSYNC, "--help"], capture_output=True, env=env, check=True)
        config = root / "calsync.toml"
        config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{root / "state"}"\n'
                          f'[[sources]]\ntype = "ics"\npath = "{cal}"\ninterval = "5s"\n[feed]\nport = 0\n')
        size = cal.stat().st_size // 1024
        bare = child_cpu([sys.executable, "-c", f"import icalendar; icalendar.Calendar.from_ical(open({str(cal)!r}, 'rb').read())"], env)
        plan = child_cpu([*CALSYNC, "plan", "--source", str(cal), "--json", "--now", "2026-11-25T09:00:00-08:00"], env)
        print(f"calendar: {N} events, {size} KiB")
        print(f"plan --json {plan:.2f} s CPU / bare icalendar parse {bare:.2f} s CPU = {plan / bare:.2f} (target <= 0.5)")
        first = child_cpu([*CALSYNC, "-c", str(config), "run", "--once", "--no-serve"], env)
        second = child_cpu([*CALSYNC, "-c", str(config), "run", "--once", "--no-serve"], env)
        print(f"run --once: first {first:.2f} s, second {second:.2f} s CPU: second / first = {second / first:.2f} (target <= 0.3)")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # the daemon reports each pass as systemd hears it
        notify.bind(str(root / "notify"))
        daemon = subprocess.Popen([*CALSYNC, "-c", str(config), "run", "--no-serve"], env={**env, "NOTIFY_SOCKET": str(root / "notify")},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            started = time.monotonic()
            wait_first_pass(notify, daemon, deadline=started + 300)
            first_pass = time.monotonic() - started
            notify.close()
            time.sleep(6)
            cpu0 = proc_cpu(daemon.pid)
            time.sleep(IDLE)
            idle = (proc_cpu(daemon.pid) - cpu0) * 60 / IDLE
            rss = proc_rss_mb(daemon.pid)
        finally:
            daemon.terminate()
            daemon.wait(30)
        print(f"daemon polling the unchanged file every 5 s: {idle:.2f} s CPU per minute (target <= 0.2), RSS {rss:.0f} MB (target <= 60); first pass done {first_pass:.1f} s after start")
        walls, cpus = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            cpus.append(child_cpu([*CALSYNC, "-c", str(config), "status"], env))
            walls.append(time.perf_counter() - t0)
        walls.sort()
        cpus.sort()
        load = os.getloadavg()[0]
        print(f"calsync status: median {cpus[2] * 1000:.0f} ms CPU, {walls[2] * 1000:.0f} ms wall over 5 runs "
              f"(target <= 150 ms; load average {load:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
