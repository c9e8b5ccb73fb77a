"""`calsync doctor`: check everything a running calsync depends on, and say how to fix what is wrong."""
from __future__ import annotations

import datetime as dt
import http.client
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from calsync.config import Config
from calsync.errors import CalsyncError, TransientError


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""


def _check_state_dir(config: Config) -> Finding:
    path = config.state_dir
    if not path.exists():
        return Finding(True, f"state directory {path} will be created on first run")
    mode = stat.S_IMODE(path.stat().st_mode)
    if not os.access(path, os.W_OK):
        return Finding(False, f"state directory {path} is not writable", "chown it to the user calsync runs as, or set state_dir")
    if mode & 0o077:
        return Finding(False, f"state directory {path} is readable by others (mode {mode:o})", f"chmod 700 {path}")
    db = path / "state.sqlite3"
    if db.exists() and stat.S_IMODE(db.stat().st_mode) & 0o077:
        return Finding(False, f"{db} is readable by others", f"chmod 600 {db}")
    return Finding(True, f"state directory {path} is private and writable")


def _check_clock(now: dt.datetime) -> Finding:
    if now.year < 2024:
        return Finding(False, f"the clock says {now:%Y-%m-%d}", "enable time sync (systemd-timesyncd or chrony)")
    synced = Path("/run/systemd/timesync/synchronized")
    note = " (time sync confirmed)" if synced.exists() else ""
    return Finding(True, f"clock reads {now:%Y-%m-%d %H:%M %Z}{note}")


def _check_feed(config: Config, token: str | None, port: int) -> Finding:
    if token is None:
        return Finding(False, "the feed token file is missing", "run `calsync rotate-feed-token` and update subscriptions")
    host = "127.0.0.1" if config.feed.bind in ("0.0.0.0", "", "127.0.0.1") else config.feed.bind
    try:
        conn = http.client.HTTPConnection(host, port, timeout=3)
        conn.request("HEAD", f"/{token}/followups.ics")
        status = conn.getresponse().status
        conn.close()
    except OSError as exc:
        return Finding(False, f"the feed does not answer on {host}:{port} ({exc})", "start calsync (`systemctl start calsync`)")
    if status != 200:
        return Finding(False, f"the feed answers HTTP {status} on {host}:{port}", "let `calsync run` complete a pass")
    return Finding(True, f"the feed answers on {host}:{port}")


def _check_source(config: Config, source_index: int, now: dt.datetime) -> Finding | list[Finding]:
    from calsync.engine import make_ics_source

    source = config.sources[source_index]
    if source.kind == "caldav":
        from calsync.caldav.health import check_source

        return [Finding(*check) for check in check_source(source, config, now)]
    if source.kind != "ics":
        from calsync.google.auth import load_credentials, own_calendar_known

        try:
            load_credentials(config, refresh=True, calendar_exists=own_calendar_known(config))
        except CalsyncError as exc:
            return Finding(False, f"source {source.name}: {exc}", _google_fix(exc))
        return Finding(True, f"source {source.name}: authorized")
    try:
        snapshot = make_ics_source(source, config).read(now)
    except CalsyncError as exc:
        return Finding(False, f"source {source.name}: {exc}", "fix the path or URL in the configuration")
    count = len(snapshot.events or ())
    return Finding(True, f"source {source.name}: {count} events" + (f", {len(snapshot.warnings)} skipped" if snapshot.warnings else ""))


def _google_fix(exc: CalsyncError) -> str:
    if isinstance(exc, TransientError):  # a busy or unreachable Google: the authorization itself is fine
        return "nothing to re-authorize; check the network and try again later"
    return "run `calsync auth google --client-secrets FILE`"


def run_checks(config: Config, now: dt.datetime, token: Callable[[], str | None], port: int, found: str = "") -> list[Finding]:
    from calsync.statedir import check_state_dir

    where = found or str(config.file or "(defaults)")
    findings = [Finding(True, f"configuration {where} is valid"), _check_state_dir(config), _check_clock(now)]
    findings.extend(Finding(ok, what, fix) for ok, what, fix in check_state_dir(config.state_dir))
    findings.extend(Finding(False, f"configuration: {w}", "reword the template") for w in config.warnings)
    if config.google.sink or any(s.kind == "google" for s in config.sources):
        from calsync.google.auth import load_credentials, own_calendar_known

        try:
            load_credentials(config, refresh=True, calendar_exists=own_calendar_known(config))
            findings.append(Finding(True, "Google authorization is present and valid"))
        except CalsyncError as exc:
            findings.append(Finding(False, f"Google: {exc}", _google_fix(exc)))
    if config.caldav.sink:
        from calsync.caldav.health import check_sink

        findings.extend(Finding(*check) for check in check_sink(config))
    findings.append(_check_feed(config, token(), port))
    for i in range(len(config.sources)):
        found = _check_source(config, i, now)
        findings.extend(found if isinstance(found, list) else [found])
    return findings
