"""Secrets in calendar URLs never reach output, logs or systemd; remote text never reaches a terminal raw."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calsync.ics.redaction import redact_url, scrub, strip_escapes, url_label
from tests.conftest import calendar, vevent
from tests.http_fixtures import calendar_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url, shown", [
    ("https://u:secret@host.example:8443/cal.ics?token=t", "https://host.example:8443/cal.ics?…"),
    ("https://calendar.google.com/calendar/ical/jane%40gmail.com/private-0f3a9c2be71d4e5f8a6b7c8d9e0f1a2b/basic.ics",
     "https://calendar.google.com/calendar/ical/jane%40gmail.com/private-…/basic.ics"),
    ("webcal://p52-caldav.icloud.com/published/2/MTY4NzQ1MjM0NTY3ODkwMTJBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWg",
     "webcal://p52-caldav.icloud.com/published/2/…"),
    ("https://outlook.office365.com/owa/calendar/0d8a5d2e-1b3c-4d5e-8f90-a1b2c3d4e5f6@example.com/"
     "c5f1e8a7b9d24c6f8e0a1b3c5d7e9f10123456/calendar.ics", "https://outlook.office365.com/owa/calendar/…/…/calendar.ics"),
    ("https://example.org/calendars/team-calendar/interviews.ics#x", "https://example.org/calendars/team-calendar/interviews.ics"),
    ("https://[::1]:8080/a/b.ics", "https://[::1]:8080/a/b.ics"),
    ("http://[broken/x", "…"),
])
def test_redact_url_table(url, shown):
    assert redact_url(url) == shown


def test_url_label_names_a_source_without_scheme_query_or_secret():
    assert url_label("https://u:p@calendar.google.com/calendar/ical/x/private-abc123def456ghi789/basic.ics?a=1") == \
        "calendar.google.com/calendar/ical/x/private-…/basic.ics"


@pytest.mark.parametrize("raw, clean", [
    ("Acme \x1b[31mred\x1b[0m", "Acme red"),
    ("title\x1b]0;owned\x07 rest", "title rest"),
    ("link \x1b]8;;http://evil\x1b\\text\x1b]8;;\x1b\\", "link text"),
    ("unterminated \x1b]0;title", "unterminated "),
    ("clear\x1b[2J\x1b[H screen", "clear screen"),
    ("c1 \x9b31m csi", "c1  csi"),
    ("bell\x07 backspace\x08 nul\x00 del\x7f", "bell backspace nul del"),
    ("keeps\ttabs\nnewlines, ünïcödé and 日本語 ✓", "keeps\ttabs\nnewlines, ünïcödé and 日本語 ✓"),
    ("lone escape at end\x1b", "lone escape at end"),
])
def test_strip_escapes_table(raw, clean):
    assert strip_escapes(raw) == clean


@given(st.text())
def test_scrubbed_text_has_no_control_characters(text):
    cleaned = scrub(text)
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in cleaned)


SECRET = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=20, max_size=40).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isalpha() for c in s))


@given(SECRET, st.sampled_from(["user:{s}@", ""]), st.sampled_from(["/private-{s}/basic.ics", "/published/2/{s}", "/c.ics?k={s}"]))
def test_no_secret_survives_redaction_in_text(secret, userinfo, path):
    url = f"https://{userinfo.format(s=secret)}host.example{path.format(s=secret)}"
    assert secret not in scrub(f"source failed: {url} (retrying)") and secret not in redact_url(url)


def test_pathological_escape_input_is_linear():
    scrub("\x1b[" * 100_000 + "\x1b]" * 100_000 + "https://x/" * 20_000)  # finishes: no quadratic pattern


CANARIES = ["CANARYpath0123456789abcdef", "CANARYuser5678", "CANARYquery9012"]


def run_cli(args, env=None):
    env = {**os.environ, "TZ": "Europe/Berlin", **(env or {})}
    return subprocess.run([sys.executable, "-m", "calsync", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_no_secret_in_any_output_log_or_systemd_status_and_no_remote_escapes(tmp_path):
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify.sock"))
    notify.setblocking(False)
    hostile = vevent("evil\x1b]0;pwned\x07", "20261201T100000", "20261201T110000",
                     summary="Interview \x1b[2J\x1b[31mAcme\x1b[0m #interview", description="Company: Acme\x1b[5m")
    path = f"/calendar/ical/jane%40example.com/private-{CANARIES[0]}/basic.ics"
    with calendar_server() as (server, base):
        server.serve(path, calendar(hostile))
        url = base.replace("http://", f"http://me:{CANARIES[1]}@") + f"{path}?k={CANARIES[2]}"
        config = tmp_path / "c.toml"
        config.write_text(f'timezone = "Europe/Berlin"\nstate_dir = "{tmp_path / "state"}"\n'
                          f'[[sources]]\nurl = "{url}"\n[feed]\nport = 0\n')
        env = {"NOTIFY_SOCKET": str(tmp_path / "notify.sock")}
        outputs = []
        for args in (["run", "--once", "--now", "2026-11-25T12:00"], ["status", "--now", "2026-11-25T12:00"],
                     ["check-config"], ["doctor"]):
            done = run_cli(["--config", str(config), *args], env)
            outputs.append(done.stdout + done.stderr)
        assert "1 interviews" in outputs[0] or "1 interview" in outputs[0], outputs[0]
        server.serve(path, b"down \x1b[2J", status=500)
        for args in (["run", "--once", "--now", "2026-11-25T13:00"], ["--verbose", "plan", "--source", url],
                     ["status", "--now", "2026-11-25T13:00"]):
            done = run_cli(["--config", str(config), *args], env)
            outputs.append(done.stdout + done.stderr)
        assert any(r[0].startswith(path) for r in server.requests), "the source was really fetched"
    datagrams = []
    while True:
        try:
            datagrams.append(notify.recv(65536).decode("utf-8", "replace"))
        except BlockingIOError:
            break
    notify.close()
    assert any(d.startswith("STATUS=") or "\nSTATUS=" in d for d in datagrams), datagrams
    assert "FAILING" in outputs[-1] and "private-…" in outputs[-1]
    for text in outputs + datagrams:
        for canary in CANARIES:
            assert canary not in text, text
        assert "\x1b" not in text and "\x07" not in text, repr(text)


@pytest.mark.parametrize("journald", [False, True])
def test_log_lines_are_scrubbed_tracebacks_included(journald):
    import logging

    from calsync.cli.logs import JournalFormatter, ScrubbedFormatter

    formatter = JournalFormatter("%(message)s") if journald else ScrubbedFormatter("%(levelname)s %(message)s")
    url = f"https://me:{CANARIES[1]}@host.example/private-{CANARIES[0]}/basic.ics?k={CANARIES[2]}"
    try:
        raise ValueError(f"while reading {url}")
    except ValueError:
        record = logging.LogRecord("calsync", logging.WARNING, __file__, 1, "source %s: \x1b[2Jbad %s", (url, "\x1b]0;t\x07x"),
                                   sys.exc_info())
    text = formatter.format(record)
    assert "host.example/private-…/basic.ics?…" in text and "ValueError" in text
    assert not any(canary in text for canary in CANARIES) and "\x1b" not in text and "\x07" not in text
