"""What `calsync doctor` checks for CalDAV accounts: the password file, the login, the calendars."""
from __future__ import annotations

import datetime as dt
import stat

from calsync.caldav.dav import Account
from calsync.config import Config, SourceConfig
from calsync.errors import AuthError, CalsyncError

Check = tuple[bool, str, str]  # (ok, what, how to fix it)
LOGIN_FIX = "check the username and the (app-specific) password in the password file"


def password_check(account: Account) -> Check | None:
    """A password file others may read; None when it is private (a missing one shows as a login problem)."""
    path = account.password_path()
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077:
        return False, f"CalDAV {account.label}: the password file {path} is readable by others (mode {mode:o})", f"chmod 600 {path}"
    return None


def check_source(source: SourceConfig, config: Config, now: dt.datetime) -> list[Check]:
    """Read the calendar once, keeping nothing."""
    from calsync.caldav.source import make_caldav_source, source_account
    from calsync.state import StateStore

    checks = [c for c in [password_check(source_account(source, config))] if c]
    with StateStore(":memory:", config.plan.zone) as scratch:
        try:
            snapshot = make_caldav_source(source, config, scratch).read(now)
        except AuthError as exc:
            return [*checks, (False, f"source {source.name}: {exc}", LOGIN_FIX)]
        except CalsyncError as exc:
            return [*checks, (False, f"source {source.name}: {exc}", "check the calendar's URL (a calendar collection) and the network")]
    skipped = f", {len(snapshot.warnings)} skipped" if snapshot.warnings else ""
    return [*checks, (True, f"source {source.name}: {len(snapshot.events or ())} events over CalDAV{skipped}", "")]


def check_sink(config: Config) -> list[Check]:
    """Log in and find the follow-up calendar, without creating anything."""
    from calsync.caldav.sink import sink_account
    from calsync.caldav.source import connect

    account = sink_account(config)
    checks = [c for c in [password_check(account)] if c]
    connection = connect(account, config)
    settings = config.caldav
    try:
        targets = [u for u in (settings.calendar_url, settings.todo_calendar_url) if u]
        for url in targets:
            connection.collection_tag(url)
        if not settings.calendar_url:
            names = list(connection.calendars().values())
            found = settings.calendar_name in names
            checks.append((True, f"CalDAV {account.label}: logged in; the calendar {settings.calendar_name!r} "
                                 + ("exists" if found else "will be created on the first pass"), ""))
        else:
            checks.append((True, f"CalDAV {account.label}: logged in; the follow-up calendar answers", ""))
    except AuthError as exc:
        checks.append((False, str(exc), LOGIN_FIX))
    except CalsyncError as exc:
        checks.append((False, f"CalDAV sink: {exc}", "check caldav.url / caldav.calendar_url and the network"))
    return checks
