"""kill -9 at every write of a feed pass (each SQL statement, each file opened for writing, each rename), restart, compare.

A helper process imports calsync once, then forks one child per kill point; each child runs the real
`calsync run --once` pass and kills itself with SIGKILL at its point (an audit hook counts file writes and
renames, SQLite's trace callback counts statements). After each kill: the feed on disk is the old or the new one, whole; the
database passes its integrity check; and a restarted pass ends exactly where a pass never killed ends.
16 points spread over the pass by default; CALSYNC_CRASH_SWEEP=full kills at every one.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import calendar, vevent

ROOT = Path(__file__).resolve().parent.parent

SWEEP = r'''
import hashlib, json, os, shutil, signal, sqlite3, sys
from pathlib import Path
from calsync.cli.main import main

work, ics, first, second = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
full = os.environ.get("CALSYNC_CRASH_SWEEP") == "full"

def config(run):
    path = run / "calsync.toml"
    path.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{run / "state"}"\n[[sources]]\nname = "cal"\npath = "{ics}"\n')
    return str(path)

def one_pass(run, now, kill_at=0):
    """Fork a child that runs the pass; returns (points reached, killed)."""
    counter = run / "points"
    pid = os.fork()
    if pid == 0:
        points = [0]
        def point():
            points[0] += 1
            if points[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        connect = sqlite3.connect
        def traced(*args, **kwargs):  # every SQL statement of every connection is a kill point
            conn = connect(*args, **kwargs)
            conn.set_trace_callback(lambda sql: point())
            return conn
        sqlite3.connect = traced
        def hook(event, args):
            if event in ("os.rename", "os.remove", "os.replace"):
                point()
            elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and str(run) in os.fsdecode(args[0]):
                mode, flags = args[1], args[2]
                if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)):
                    point()
        sys.addaudithook(hook)
        code = main(["--config", config(run), "run", "--once", "--no-serve", "--now", now])
        counter.write_text(str(points[0]))
        sys.stdout.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert killed or os.WEXITSTATUS(status) == 0, status
    return (int(counter.read_text()) if not killed else kill_at), killed

def snapshot(run):
    state = run / "state"
    feed = state / "followups.ics"
    db = sqlite3.connect(state / "state.sqlite3")
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        published = sorted(db.execute("SELECT sink, fid, hash, sequence, status FROM published"))
        plan = sorted(db.execute("SELECT fid, due, missed FROM plan_items"))
    finally:
        db.close()
    return {"feed": hashlib.sha256(feed.read_bytes()).hexdigest() if feed.exists() else None, "integrity": integrity,
            "published": hashlib.sha256(repr(published).encode()).hexdigest(), "plan": hashlib.sha256(repr(plan).encode()).hexdigest(),
            "stray": sorted(p.name for p in state.iterdir() if p.name.endswith(".tmp"))}

base = work / "base"
base.mkdir()
one_pass(base, first)
before = snapshot(base)
ics.write_bytes(Path(sys.argv[5]).read_bytes())  # the calendar changes: the next pass creates, updates and deletes

def fresh(name):
    run = work / name
    shutil.copytree(base / "state", run / "state")
    return run

clean = fresh("clean")
points, _ = one_pass(clean, second)
after = snapshot(clean)
results = []
chosen = range(1, points + 1) if full else sorted({1 + round(i * (points - 1) / 15) for i in range(16)})
for kill_at in chosen:
    run = fresh(f"k{kill_at}")
    _, killed = one_pass(run, second, kill_at)
    at_kill = snapshot(run)
    one_pass(run, second)  # restart
    results.append({"kill_at": kill_at, "killed": killed, "at_kill": at_kill, "restarted": snapshot(run)})
    shutil.rmtree(run)
print(json.dumps({"points": points, "before": before, "after": after, "results": results}))
'''


def test_kill_9_at_every_write_of_a_pass_then_restart(tmp_path):
    first = calendar(*(vevent(f"iv{i}", f"202612{i + 1:02d}T100000", f"202612{i + 1:02d}T110000") for i in range(6)))
    # iv0 moves, iv1 is cancelled (gone), iv6 is new: updates, deletions and creations in one pass.
    changed = calendar(vevent("iv0", "20261215T100000", "20261215T110000"),
                       *(vevent(f"iv{i}", f"202612{i + 1:02d}T100000", f"202612{i + 1:02d}T110000") for i in range(2, 7)))
    ics, later = tmp_path / "cal.ics", tmp_path / "changed.ics"
    ics.write_bytes(first)
    later.write_bytes(changed)
    work = tmp_path / "work"
    work.mkdir()
    env = {"TZ": "America/Los_Angeles", "PATH": "/usr/bin:/bin", "CALSYNC_CRASH_SWEEP": os.environ.get("CALSYNC_CRASH_SWEEP", "")}
    done = subprocess.run([sys.executable, "-c", SWEEP, str(work), str(ics), "2026-11-25T09:00", "2026-11-26T09:00", str(later)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    before, after = report["before"], report["after"]
    full = os.environ.get("CALSYNC_CRASH_SWEEP") == "full"
    assert report["points"] >= 20 and len(report["results"]) == (report["points"] if full else 16), report["points"]
    assert before["feed"] != after["feed"]  # the pass does change the feed
    for result in report["results"]:
        assert result["killed"], result
        at_kill, restarted = result["at_kill"], result["restarted"]
        assert at_kill["integrity"] == "ok", result
        assert at_kill["feed"] in (before["feed"], after["feed"]), result  # old or new, never torn
        assert len(at_kill["stray"]) <= 1 and len(restarted["stray"]) <= 1, result  # at most the killed write's temp file
        assert {**restarted, "stray": []} == {**after, "stray": []}, result  # exactly where an unkilled pass ends
