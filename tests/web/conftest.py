"""A real `calsync run` on 127.0.0.1 (port 0) over a copy of the demo calendar, for board tests."""
from __future__ import annotations

import http.client
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-12-01T12:00"  # after Acme's interview (Dec 1, 10:00), before its thank-you is due


@dataclass
class RunningCalsync:
    proc: subprocess.Popen
    state_dir: Path
    port: int
    token: str
    calendar: Path

    @property
    def base(self) -> str:
        return f"/{self.token}/"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.token}/"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
                ) -> tuple[http.client.HTTPResponse, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def feed(self) -> str:
        return self.request("GET", f"{self.base}followups.ics")[1].decode()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.state_dir / 'state.sqlite3'}?mode=ro", uri=True, timeout=10)


def wait_for(condition, timeout: float = 60.0, what: str = "condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_calsync(tmp: Path, extra_config: str = "", calendar_extra: str = "") -> RunningCalsync:
    """``calendar_extra``: VEVENT text added to the demo calendar."""
    calendar = tmp / "interviews.ics"
    text = (ROOT / "calsync" / "data" / "sample-interviews.ics").read_bytes()
    if calendar_extra:
        end = text.rindex(b"END:VCALENDAR")
        text = text[:end] + calendar_extra.encode() + text[end:]
    calendar.write_bytes(text)
    state = tmp / "state"
    config = tmp / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{state}"\n'
                      f'[[sources]]\nname = "sample"\npath = "{calendar}"\ninterval = "1h"\n'
                      f'[drafts]\nsignature = "Robin Example"\n[feed]\nbind = "127.0.0.1"\nport = 0\n{extra_config}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFY_SOCKET")}
    log = open(tmp / "calsync.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "calsync", "--config", str(config), "run", "--now", NOW],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)

    def bound() -> int | None:
        if proc.poll() is not None:
            raise AssertionError(f"calsync run exited {proc.returncode}: {(tmp / 'calsync.log').read_text()}")
        try:
            with sqlite3.connect(f"file:{state / 'state.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
                row = db.execute("SELECT value FROM meta WHERE key='feed_bound'").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0].rsplit(":", 1)[1]) if row else None

    port = wait_for(bound, what="the feed server to bind")
    token = (state / "feed-token").read_text().strip()
    running = RunningCalsync(proc, state, port, token, calendar)
    wait_for(lambda: "Acme Robotics" in running.request("GET", running.base)[1].decode()
             and running.request("HEAD", f"{running.base}followups.ics")[0].status == 200, what="the first pass")
    return running


def stop_calsync(running: RunningCalsync) -> None:
    running.proc.terminate()
    try:
        running.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        running.proc.kill()
        running.proc.wait()


@pytest.fixture
def calsync_run(tmp_path) -> Iterator[RunningCalsync]:
    running = start_calsync(tmp_path)
    yield running
    stop_calsync(running)
