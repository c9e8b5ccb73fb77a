"""Degraded mode against real failures: a full or read-only filesystem, a file-size limit, a damaged database.

Each test runs `calsync run` as a process and checks what a user sees: the daemon stays up, the last feed keeps being
served at the same URL, one log line says what is wrong, `status`/`doctor` explain, and it recovers on its own.
The small filesystem is a 2 MB tmpfs in a private mount namespace (`unshare -m`), where that is allowed.
"""
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import calendar, vevent, wait_for

ROOT = Path(__file__).resolve().parent.parent
ACME = vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview", description="Company: Acme")
GLOBEX = vevent("globex-1", "20261203T100000", "20261203T110000", summary="Screen #interview", description="Company: Globex")



def namespaces_work() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                              capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


NAMESPACES = namespaces_work()
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="needs unshare/nsenter and tmpfs mounts (root or user namespaces)")


class Running:
    """`calsync run` as a process; its log lines and systemd notifications collected as they come."""

    def __init__(self, tmp_path: Path, prefix: list[str]) -> None:
        self.tmp_path, self.state = tmp_path, tmp_path / "state"
        self.config = tmp_path / "calsync.toml"
        if not self.config.exists():
            (tmp_path / "cal.ics").write_bytes(calendar(ACME))
            self.config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{self.state}"\n[[sources]]\nname = "cal"\n'
                                   f'path = "{tmp_path / "cal.ics"}"\ninterval = "1s"\n[feed]\nbind = "127.0.0.1"\nport = 0\n')
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_path = tmp_path / f"notify-{time.monotonic_ns()}.sock"
        self.notify.bind(str(notify_path))
        self.notified: list[str] = []
        self.log: list[str] = []
        env = {**os.environ, "TZ": "America/Los_Angeles", "NOTIFY_SOCKET": str(notify_path)}
        self.proc = subprocess.Popen([*prefix, sys.executable, "-m", "calsync", "--config", str(self.config), "run"], cwd=ROOT,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=lambda: self.log.extend(iter(self.proc.stderr.readline, "")), daemon=True).start()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        try:
            while True:
                self.notified.append(self.notify.recv(4096).decode())
        except OSError:
            pass  # closed by stop()

    def command(self, *argv: str) -> subprocess.CompletedProcess:
        """A calsync command that sees the same files as the daemon."""
        return subprocess.run([sys.executable, "-m", "calsync", "--config", str(self.config), *argv], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    def wait_notified(self, wanted: str, count: int = 1) -> None:
        """Wait for ``count`` more notifications containing ``wanted``."""
        start = len(self.notified)
        assert wait_for(lambda: sum(wanted in m for m in self.notified[start:]) >= count or self.proc.poll() is not None)

    def errors(self) -> list[str]:
        return [line for line in self.log if " ERROR " in line]

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.notify.shutdown(socket.SHUT_RDWR)
        self.notify.close()
        return self.proc.returncode


class InNamespace(Running):
    """The state directory is a 2 MB tmpfs that only the daemon (and commands run through nsenter) can see."""

    def __init__(self, tmp_path: Path) -> None:
        (tmp_path / "state").mkdir()
        mount = f'mount -t tmpfs -o size=2m,mode=0700 tmpfs "{tmp_path / "state"}" && exec "$0" "$@"'
        super().__init__(tmp_path, ["unshare", "-m", "--propagation", "private", "sh", "-c", mount])

    def inside(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(["nsenter", "-t", str(self.proc.pid), "-m", *argv], capture_output=True, text=True, timeout=120)

    def command(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(["nsenter", "-t", str(self.proc.pid), "-m", "--wd=" + str(ROOT), sys.executable, "-m", "calsync",
                               "--config", str(self.config), *argv], capture_output=True, text=True, timeout=120)


def fill(daemon: InNamespace) -> None:
    daemon.inside("sh", "-c", f'cat /dev/zero > "{daemon.state / "filler"}"')  # stops at "No space left on device"


def unfill(daemon: InNamespace) -> None:
    assert daemon.inside("rm", str(daemon.state / "filler")).returncode == 0


def size_limit(daemon: Running) -> None:
    resource.prlimit(daemon.proc.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))  # no write past byte 1


def no_size_limit(daemon: Running) -> None:
    resource.prlimit(daemon.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def feed_url(daemon: Running) -> str:
    assert wait_for(lambda: daemon.proc.poll() is not None or ("port" in "".join(daemon.log) and "pass:" in "".join(daemon.log)))
    done = daemon.command("feed-url")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def on_this_port(daemon: Running, url: str) -> str:
    """``url`` with the port this daemon listens on (port 0 in the configuration: a new one per start)."""
    assert wait_for(lambda: any("listening on" in line for line in daemon.log)), daemon.log
    port = next(line for line in daemon.log if "listening on" in line).split(" port ")[1].split()[0]
    return url.replace(url.split("/")[2], f"127.0.0.1:{port}")


CASES = [
    pytest.param(InNamespace, fill, unfill, ("space", "full"), id="full-tmpfs", marks=needs_namespaces),
    pytest.param(Running, size_limit, no_size_limit, ("I/O", "full", "too large", "size"), id="rlimit-fsize"),
]


@pytest.mark.parametrize("kind, break_it, mend_it, words", CASES)
def test_the_disk_fails_under_a_running_daemon(tmp_path, kind, break_it, mend_it, words):
    daemon = kind(tmp_path) if kind is InNamespace else kind(tmp_path, [])
    try:
        url = feed_url(daemon)
        status, before = get(url)
        assert status == 200 and b"Acme" in before
        break_it(daemon)
        (tmp_path / "cal.ics").write_bytes(calendar(ACME, GLOBEX))  # the next pass has something to write
        assert wait_for(lambda: daemon.errors() or daemon.proc.poll() is not None)
        daemon.wait_notified("STATUS=degraded", count=3)  # it retried three times …
        assert daemon.proc.poll() is None, "".join(daemon.log)
        assert len(daemon.errors()) == 1, daemon.errors()  # … and said so once
        assert any(word in daemon.errors()[0] for word in words), daemon.errors()
        assert get(url) == (200, before)  # the last feed, at the same URL
        if kind is InNamespace:
            shown = daemon.command("status")
            assert "degraded since" in shown.stdout and "Traceback" not in shown.stderr, shown
            doctor = daemon.command("doctor")
            assert "BAD" in doctor.stdout and "degraded since" in doctor.stdout, doctor.stdout
        mend_it(daemon)
        assert wait_for(lambda: b"Globex" in get(url)[1]), "".join(daemon.log)
        assert wait_for(lambda: any("back to normal" in line for line in daemon.log))
    finally:
        code = daemon.stop()
    assert code == 0, "".join(daemon.log)
    assert "Traceback" not in "".join(daemon.log)


class ReadOnlyAtStart(InNamespace):
    """A first `run --once` fills the state, then the filesystem turns read-only and the daemon starts on it."""

    def __init__(self, tmp_path: Path) -> None:
        (tmp_path / "state").mkdir()
        once = f'"$0" -m calsync --config "{tmp_path / "calsync.toml"}" run --once >/dev/null 2>&1'
        script = (f'mount -t tmpfs -o size=2m,mode=0700 tmpfs "{tmp_path / "state"}" && {once} && '
                  f'mount -o remount,ro "{tmp_path / "state"}" && exec "$0" "$@"')
        Running.__init__(self, tmp_path, ["unshare", "-m", "--propagation", "private", "sh", "-c", script])


@needs_namespaces
def test_a_daemon_started_on_read_only_state_serves_the_last_feed_and_recovers(tmp_path):
    daemon = ReadOnlyAtStart(tmp_path)
    try:
        daemon.wait_notified("STATUS=degraded", count=3)
        assert daemon.proc.poll() is None, "".join(daemon.log)
        assert wait_for(daemon.errors), "".join(daemon.log)  # stderr is read by a thread of its own
        assert len(daemon.errors()) == 1 and "read-only" in daemon.errors()[0].lower(), daemon.log
        token = daemon.inside("cat", str(daemon.state / "feed-token")).stdout.strip()
        port = next(line for line in daemon.log if "listening on" in line).split(" port ")[1].split()[0]
        url = f"http://127.0.0.1:{port}/{token}/followups.ics"
        status, before = get(url)
        assert status == 200 and b"Acme" in before  # the feed `run --once` wrote, under the token file's token
        assert get(url.replace(token, "x" * len(token)))[0] == 404
        shown = daemon.command("status")
        assert "read-only filesystem" in shown.stdout and "intact" not in shown.stdout, shown  # no record can be written there
        (tmp_path / "cal.ics").write_bytes(calendar(ACME, GLOBEX))
        assert daemon.inside("mount", "-o", "remount,rw", str(daemon.state)).returncode == 0
        assert wait_for(lambda: b"Globex" in get(url)[1]), "".join(daemon.log)
        # the feed is published before the pass logs that state is healthy again, and stderr is read by a thread
        assert wait_for(lambda: any("back to normal" in line for line in daemon.log)), "".join(daemon.log)
    finally:
        code = daemon.stop()
    assert code == 0, "".join(daemon.log)


def damage(db: Path, where: str) -> None:
    if where == "header":
        offset = 0
    else:
        conn = sqlite3.connect(db)
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='published'").fetchone()[0]
        conn.close()
        offset = (root - 1) * page_size
    with open(db, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xa5" * 4096)


@pytest.mark.parametrize("where", ["header", "table-page"])
def test_a_damaged_database_degrades_and_the_fix_keeps_the_url(tmp_path, where):
    daemon = Running(tmp_path, [])
    try:
        url = feed_url(daemon)
        status, before = get(url)
        assert status == 200
    finally:
        assert daemon.stop() == 0
    db = tmp_path / "state" / "state.sqlite3"
    assert not (tmp_path / "state" / "state.sqlite3-wal").exists()  # checkpointed at exit: the damage is all there is
    damage(db, where)
    daemon = Running(tmp_path, [])
    try:
        daemon.wait_notified("STATUS=degraded", count=2)
        assert daemon.proc.poll() is None, "".join(daemon.log)
        assert wait_for(daemon.errors), "".join(daemon.log)  # stderr is read by a thread of its own
        assert len(daemon.errors()) == 1 and "damaged" in daemon.errors()[0], daemon.errors()
        assert get(on_this_port(daemon, url)) == (200, before)
        shown = daemon.command("status")
        # A damaged header stops `status` (74, one line); a damaged table it does not read, not. Both explain.
        assert shown.returncode == (74 if where == "header" else 0), shown
        assert len(shown.stderr.strip().splitlines()) == (where == "header") and "Traceback" not in shown.stderr, shown
        assert "degraded since" in shown.stdout and "damaged" in shown.stdout and "move state.sqlite3 aside" in shown.stdout, shown
        doctor = daemon.command("doctor")
        assert doctor.returncode == 1 and "damaged" in doctor.stdout and "move state.sqlite3 aside" in doctor.stdout, doctor
    finally:
        assert daemon.stop() == 0, "".join(daemon.log)
    db.rename(db.with_suffix(".broken"))  # the fix doctor gives
    daemon = Running(tmp_path, [])
    try:
        assert feed_url(daemon).split("/")[3] == url.split("/")[3]  # the same token
        url = on_this_port(daemon, url)
        assert wait_for(lambda: get(url)[0] == 200 and b"Acme" in get(url)[1])
    finally:
        assert daemon.stop() == 0
