"""Shared builders: iCalendar text and plans through the real pipeline."""
from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

from calsync.config import build_config
from calsync.core.detect import Seen
from calsync.planner import PlanResult, build_plan
from calsync.ics.parse import parse_calendar

# Hypothesis profiles. "ci" (the default) is derandomized: the same examples on every run and machine, no example
# database, no deadline and no too-slow health check (wall-clock measures that fail on a busy machine).
# CALSYNC_HYPOTHESIS=random explores: fresh random examples, ten times as many, failures remembered in .hypothesis/.
_STEADY = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "print_blob": True}
settings.register_profile("ci", derandomize=True, database=None, **_STEADY)
settings.register_profile("random", derandomize=False, **_STEADY)
PROFILE = os.environ.get("CALSYNC_HYPOTHESIS", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """A test's example count under the loaded profile (x10 when exploring)."""
    return count * 10 if PROFILE == "random" else count


def vevent(uid: str, start: str, end: str | None = None, summary: str = "Interview #interview",
           description: str = "", tz: str | None = "America/Los_Angeles", extra: str = "") -> str:
    """One VEVENT; ``start``/``end`` as 20261201T100000 (or 20261201 for all-day)."""
    def prop(name: str, value: str) -> str:
        if len(value) == 8:
            return f"{name};VALUE=DATE:{value}"
        if value.endswith("Z") or tz is None:
            return f"{name}:{value}"
        return f"{name};TZID={tz}:{value}"

    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", prop("DTSTART", start)]
    if end:
        lines.append(prop("DTEND", end))
    lines.append(f"SUMMARY:{summary}")
    if description:
        lines.append("DESCRIPTION:" + description.replace("\n", "\\n"))
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VEVENT")
    return "\n".join(lines)


def calendar(*events: str, header: str = "") -> bytes:
    body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calsync tests//EN", *([header] if header else []), *events, "END:VCALENDAR"])
    return (body.replace("\n", "\r\n") + "\r\n").encode()


def plan_ics(data: bytes, now: dt.datetime, config: dict | None = None) -> PlanResult:
    settings = build_config({"timezone": "America/Los_Angeles", **(config or {})})
    parsed = parse_calendar(data, "test.ics", settings.plan.zone, now)
    assert not parsed.warnings, parsed.warnings
    return build_plan(parsed.events, settings.plan, Seen(now, {}, {}))


def by_kind(result: PlanResult, uid: str | None = None) -> dict[str, object]:
    return {f.kind.value: f for f in result.plan.followups if uid is None or f.interview == uid}


LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture(autouse=True)
def no_host_configuration(tmp_path_factory, monkeypatch):
    """Config discovery sees neither this machine's ~/.config and /etc nor a service state; fetches ignore its proxy."""
    home = tmp_path_factory.mktemp("host")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CALSYNC_SYSTEM_ROOT", str(home / "root"))
    monkeypatch.delenv("CALSYNC_CONFIG", raising=False)
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):  # nor its proxy (tests set their own)
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def early() -> dt.datetime:
    """A clock well before every test interview, so nothing is missed."""
    return dt.datetime(2026, 1, 2, 9, 0, tzinfo=LA)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Any connection beyond this machine fails the test loudly."""
    import ipaddress
    import socket

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def local_only(host: object) -> None:
        if isinstance(host, str) and host not in ("localhost", "") and not host.startswith("\0"):
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    raise AssertionError(f"a test tried to reach {host}")
            except ValueError:
                raise AssertionError(f"a test tried to resolve {host}") from None

    def connect(self, address):  # type: ignore[no-untyped-def]
        if isinstance(address, tuple):
            local_only(address[0])
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        local_only(host.decode() if isinstance(host, bytes) else host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def wait_for(predicate, timeout: float = 60.0):
    """Poll ``predicate`` until it is truthy (returns its value) or ``timeout`` seconds pass (returns False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return False
