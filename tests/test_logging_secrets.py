"""No secret ever reaches output or logs: canaries planted everywhere, then searched for."""
import os
import subprocess
import sys
from pathlib import Path

from calsync.cli.logs import JournalFormatter
from tests.conftest import calendar, vevent
from tests.http_fixtures import calendar_server

ROOT = Path(__file__).resolve().parent.parent
CANARIES = ["CANARYpass1234", "CANARYquery5678"]


def run_cli(args, env_extra=None):
    env = {**os.environ, "TZ": "America/Los_Angeles", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "calsync", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_canary_secrets_never_appear_in_output_or_state(tmp_path):
    with calendar_server() as (server, base):
        server.serve("/cal.ics", calendar(vevent("a", "20261201T100000", "20261201T110000")))
        url = base.replace("http://", f"http://user:{CANARIES[0]}@") + f"/cal.ics?token={CANARIES[1]}"
        config = tmp_path / "c.toml"
        config.write_text(f'state_dir = "{tmp_path / "state"}"\n[[sources]]\nurl = "{url}"\n[feed]\nport = 0\n')
        outputs, logs = [], []
        for args in (["run", "--once"], ["status"], ["check-config"], ["doctor"], ["--verbose", "run", "--once"]):
            done = run_cli(["--config", str(config), *args])
            outputs.append(done.stdout + done.stderr)
            logs.append(done.stderr)
        assert "1 interviews, 3 follow-ups" in outputs[0], outputs[0]
        server.serve("/cal.ics", b"broken", status=500)
        for args in (["run", "--once"], ["--verbose", "plan", "--source", url], ["status"]):
            done = run_cli(["--config", str(config), *args])
            outputs.append(done.stdout + done.stderr)
            logs.append(done.stderr)
        assert server.requests, "the source was really fetched"
        assert any(r[1].get("Authorization", "").startswith("Basic ") for r in server.requests)
    token = (tmp_path / "state" / "feed-token").read_text().strip()
    files = [p for p in (tmp_path / "state").rglob("*") if p.is_file() and p.name != "feed-token"]
    blobs = [p.read_bytes().decode("utf-8", "replace") for p in files]
    for canary in CANARIES:
        for text in outputs + blobs:
            assert canary not in text
    assert all(token not in text for text in logs + blobs)  # only `feed-url` and `run --once` print it, on stdout


def test_journal_format_has_priority_prefixes_and_no_timestamps():
    import logging

    formatter = JournalFormatter("%(message)s")
    record = logging.LogRecord("calsync", logging.WARNING, __file__, 1, "two\nlines", None, None)
    assert formatter.format(record) == "<4>two\n<4>lines"


def test_journald_detected_only_for_its_own_stream(tmp_path):
    code = "from calsync.cli.logs import under_journald; print(under_journald())"
    ours = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "JOURNAL_STREAM": "1:1"})
    assert ours.stdout.strip() == "False"
    log_file = tmp_path / "err"
    with open(log_file, "w") as handle:
        st = os.fstat(handle.fileno())
        mine = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=handle, text=True,
                              env={**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
    assert mine.stdout.strip() == "True"
