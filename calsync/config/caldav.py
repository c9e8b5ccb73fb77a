"""The CalDAV keys: `type = "caldav"` sources and the [caldav] sink table; passwords only ever in files."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calsync.config.kinds import Flag, Invalid, Kind, Place, Report, Text, WebAddress, Whole
from calsync.config.schema import Key, SourceType, Table, add_source_type, add_table


@dataclass(frozen=True)
class CaldavConfig:
    """The [caldav] sink table, resolved."""

    sink: bool = False
    url: str = ""  # server root, principal or calendar home: the calendar is discovered
    username: str = ""
    password_file: str = ""  # resolved path; empty means $CREDENTIALS_DIRECTORY/caldav-password
    calendar_name: str = "Job search follow-ups"  # created with MKCALENDAR if missing
    calendar_url: str = ""  # or write into this existing calendar collection
    todos: bool = False
    todo_calendar_url: str = ""
    alarm_minutes: int = 15


@dataclass(frozen=True)
class Refused(Kind):
    """A key that is never accepted, with the reason (a password in the configuration)."""

    reason: str = ""

    def read(self, raw: object, base: Path) -> Any:
        raise Invalid(self.reason)


@dataclass(frozen=True)
class DavAddress(WebAddress):
    """An http(s) URL without credentials in it."""

    def read(self, raw: object, base: Path) -> str:
        url = super().read(raw, base)
        if url and "@" in url.split("://", 1)[-1].split("/", 1)[0]:
            raise Invalid("no credentials in URLs; use username and password_file")
        return url


_PASSWORD = Key("password", Refused(reason="passwords are never kept in the configuration; put it in a file (mode 600) "
                                           "and set password_file"), None, "")
_PASSWORD_FILE = Key("password_file", Place(empty_is_unset=True), None, "relative to this file; default $CREDENTIALS_DIRECTORY/caldav-password")


def as_caldav_config(values: dict[str, Any]) -> CaldavConfig:
    """The [caldav] table's resolved values as the sink reads them."""
    password_file = values["password_file"]
    return CaldavConfig(sink=values["sink"], url=values["url"], username=values["username"],
                        password_file=str(password_file) if password_file is not None else "",
                        calendar_name=values["calendar_name"], calendar_url=values["calendar_url"], todos=values["todos"],
                        todo_calendar_url=values["todo_calendar_url"], alarm_minutes=values["alarm_minutes"])


def _sink_check(values: dict[str, Any], report: Report) -> None:
    if values["sink"] and not (values["url"] or values["calendar_url"]) and not {"caldav.url", "caldav.calendar_url"} & report.bad:
        report.problem("caldav.url", "required when caldav.sink is true (or give caldav.calendar_url)")


def _source_check(values: dict[str, Any], report: Report) -> None:
    if values["url"] is None and f"{values['_where']}.url" not in report.bad:
        report.problem(f"{values['_where']}.url", "required (the CalDAV calendar's URL)")


def _source_name(values: dict[str, Any]) -> str:
    from calsync.ics.redaction import url_label

    return "caldav:" + url_label(values["url"] or "")


add_table(Table("caldav", "a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale) as a sink", (
    Key("sink", Flag(), False, "write follow-ups into a CalDAV calendar"),
    Key("url", DavAddress(allow_empty=True), "", 'server root, principal or calendar home, e.g. "https://cloud.example.com/remote.php/dav/"'),
    Key("username", Text(max_length=200), "", "the account"),
    _PASSWORD_FILE,
    _PASSWORD,
    Key("calendar_name", Text(max_length=200), "Job search follow-ups", "created with MKCALENDAR if missing"),
    Key("calendar_url", DavAddress(allow_empty=True), "", "or write into this existing calendar collection"),
    Key("todos", Flag(), False, "also write each follow-up as a task; ticking it off marks it done"),
    Key("todo_calendar_url", DavAddress(allow_empty=True), "", "tasks go here instead (iCloud keeps tasks in separate lists)"),
    Key("alarm_minutes", Whole(minimum=0, maximum=40320), 15, "reminder before each follow-up; 0 for none"),
), _sink_check))

add_source_type(SourceType("caldav", "a CalDAV calendar collection", (
    Key("url", DavAddress(), None, "the calendar collection's URL"),
    Key("username", Text(max_length=200), "", "the account"),
    _PASSWORD_FILE,
    _PASSWORD,
), _source_name, _source_check))
