"""The CalDAV keys: `type = "caldav"` sources and the [caldav] sink table; passwords only ever in files."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from calsync.config.tables import TableReader


@dataclass(frozen=True)
class CaldavConfig:
    sink: bool = False
    url: str = ""  # server root, principal or calendar home: the calendar is discovered
    username: str = ""
    password_file: str = ""  # resolved path; empty means $CREDENTIALS_DIRECTORY/caldav-password
    calendar_name: str = "Job search follow-ups"  # created with MKCALENDAR if missing
    calendar_url: str = ""  # or write into this existing calendar collection
    todos: bool = False
    todo_calendar_url: str = ""
    alarm_minutes: int = 15


def caldav_url(r: TableReader, key: str, required: bool = False) -> str:
    url = r.string(key, "")
    where = f"{r.path}.{key}" if r.path else key
    if required and not url:
        r.problems.append(f"{where}: required (the CalDAV calendar's URL)")
    elif url and not re.match(r"^https?://", url, re.IGNORECASE):
        r.problems.append(f"{where}: expected an http:// or https:// URL, got {url!r}")
    elif re.match(r"^https?://[^/]*@", url, re.IGNORECASE):
        r.problems.append(f"{where}: no credentials in URLs; use username and password_file")
    return url


def caldav_credentials(r: TableReader, base: Path) -> tuple[str, str]:
    """username and the password file (relative to the config); the password itself never sits in the config."""
    if "password" in r.data:
        r.used.add("password")
        r.problems.append(f"{r.path}.password: passwords are never kept in the configuration; "
                          "put it in a file (mode 600) and set password_file")
    username = r.string("username", "")
    password_file = r.string("password_file", "")
    return username, str((base / os.path.expanduser(password_file)).resolve()) if password_file else ""


def caldav_table(r: TableReader, base: Path) -> CaldavConfig:
    username, password_file = caldav_credentials(r, base)
    caldav = CaldavConfig(
        sink=r.boolean("sink", False),
        url=caldav_url(r, "url"),
        username=username,
        password_file=password_file,
        calendar_name=r.string("calendar_name", CaldavConfig.calendar_name),
        calendar_url=caldav_url(r, "calendar_url"),
        todos=r.boolean("todos", False),
        todo_calendar_url=caldav_url(r, "todo_calendar_url"),
        alarm_minutes=r.integer("alarm_minutes", 15),
    )
    if caldav.sink and not (caldav.url or caldav.calendar_url):
        r.problems.append("caldav.url: required when caldav.sink is true (or give caldav.calendar_url)")
    r.check_unknown()
    return caldav
