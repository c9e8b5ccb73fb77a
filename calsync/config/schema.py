"""The configuration schema: every table and key with its kind, default and help, in one place.

The loader reads with it, `check-config` and `calsync init` write with it. To add a key, add a
``Key`` here and a field of the same name to the dataclass the loader builds; to add a source
type, call ``add_source_type``; to add a table, call ``add_table``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calsync.config.kinds import (
    BindAddress, Check, Choice, Clock, Day, Duration, Flag, Fraction, Invalid, Kind, ListOf, Pattern, Place, Report, Template,
    Text, WebAddress, Whole, Zone, shown,
)


@dataclass(frozen=True)
class Key:
    """One key: ``default`` is the resolved value (None: unset; a callable: computed at load)."""

    name: str
    kind: Kind
    default: Any
    help: str
    example: str = ""  # shown, commented out, when the key is unset


@dataclass(frozen=True)
class Table:
    """A TOML table and its keys; ``check`` looks across them."""

    name: str  # dotted path; "" is the top level
    help: str
    keys: tuple[Key, ...]
    check: Check | None = None  # checks across keys, on the resolved values


@dataclass(frozen=True)
class SourceType:
    """A [[sources]] type: its own keys and how an unnamed source is named."""

    name: str
    help: str
    keys: tuple[Key, ...]
    default_name: Callable[[dict[str, Any]], str]
    check: Check | None = None


@dataclass
class Schema:
    """Every table and source type, in the order `check-config` prints them."""

    tables: list[Table] = field(default_factory=list)
    source_types: dict[str, SourceType] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def source_common(self) -> tuple[Key, ...]:
        return (
            Key("type", Choice(options=tuple(self.source_types)), "ics", "what kind of calendar this is"),
            Key("name", Text(max_length=200), None, "shown in logs and `calsync status` (default: from the path, URL or calendar)"),
            Key("interval", Duration(), 900.0, "how often to read this source"),
        )


SCHEMA = Schema()


def add_table(table: Table, after: str | None = None) -> None:
    """Register a table (printed after ``after``, or last)."""
    index = len(SCHEMA.tables) if after is None else [t.name for t in SCHEMA.tables].index(after) + 1
    SCHEMA.tables.insert(index, table)


def add_source_type(source_type: SourceType) -> None:
    SCHEMA.source_types[source_type.name] = source_type


# Reading ---------------------------------------------------------------------------------------


def _where(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_keys(keys: tuple[Key, ...], raw: dict[str, Any], path: str, base: Path, report: Report) -> dict[str, Any]:
    """Resolved values for ``keys`` from ``raw``: problems reported, defaults used where missing or bad."""
    values: dict[str, Any] = {}
    for key in keys:
        default = key.default() if callable(key.default) else key.default
        if key.name not in raw:
            values[key.name] = default
            continue
        try:
            values[key.name] = key.kind.read(raw[key.name], base)
        except Invalid as exc:
            report.problem(_where(path, key.name) + exc.where, str(exc))
            report.bad.add(_where(path, key.name))
            values[key.name] = default
    return values


def _unknown(raw: dict[str, Any], known: set[str], path: str, report: Report) -> None:
    for name in raw:
        if name not in known:
            report.problem(_where(path, str(name)), "unknown key")


def _subtable(data: dict[str, Any], dotted: str, report: Report) -> dict[str, Any]:
    current: Any = data
    walked = ""
    for part in dotted.split("."):
        walked = _where(walked, part)
        current = current.get(part, {}) if isinstance(current, dict) else {}
        if not isinstance(current, dict):
            report.problem(walked, f"expected a table, got {shown(current)}")
            return {}
    return current


def read_config(data: dict[str, Any], base: Path, report: Report) -> dict[str, Any]:
    """Every table's resolved values (``values["feed"]["port"]``, ``values[""]`` the top level, ``values["sources"]``)."""
    values: dict[str, Any] = {}
    names = {t.name for t in SCHEMA.tables}
    for table in SCHEMA.tables:
        raw = data if not table.name else _subtable(data, table.name, report)
        values[table.name] = read_keys(table.keys, raw, table.name, base, report)
        depth = table.name.count(".") + 1 if table.name else 0
        children = {n.split(".")[depth] for n in names if n and n.count(".") == depth and (not table.name or n.startswith(table.name + "."))}
        _unknown(raw, {k.name for k in table.keys} | children | ({"sources"} if not table.name else set()), table.name, report)
    values["sources"] = _read_sources(data.get("sources", []), base, report)
    for table in SCHEMA.tables:  # checks across keys; ``report.bad`` names the keys that fell back to defaults
        if table.check:
            table.check(values[table.name], report)
    return values


def _read_sources(raw: object, base: Path, report: Report) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        report.problem("sources", "expected an array of tables ([[sources]])")
        return []
    found: list[dict[str, Any]] = []
    common = SCHEMA.source_common()
    for i, item in enumerate(raw):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            report.problem(where, "expected a table")
            continue
        values = read_keys(common[:1], item, where, base, report)
        source_type = SCHEMA.source_types.get(values["type"])
        if source_type is None or f"{where}.type" in report.bad:
            continue
        values.update(read_keys(common[1:] + source_type.keys, item, where, base, report))
        _unknown(item, {k.name for k in common + source_type.keys}, where, report)
        if source_type.check:
            source_type.check(values | {"_where": where}, report)
        if values["name"] is None:
            values["name"] = source_type.default_name(values)
        found.append(values)
    names = [s["name"] for s in found]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        report.problem("sources", f"two sources are named {dup!r}; give each a distinct name")
    return found


# The tables ------------------------------------------------------------------------------------


def _system_zone() -> Any:
    from calsync.config.places import system_zone

    return system_zone()


def _state_dir() -> Path:
    from calsync.config.places import default_state_dir

    return default_state_dir()


add_table(Table("", "", (
    Key("timezone", Zone(), _system_zone, "your IANA time zone; every follow-up is timed and shown in it (default: the system zone)"),
    Key("me", ListOf(item=Text(max_length=320)), (), "your own e-mail addresses: events you declined get no follow-ups",
        example='["robin@example.com"]'),
    Key("state_dir", Place(), _state_dir, "SQLite state and the feed file (default: $STATE_DIRECTORY, else ~/.local/state/calsync)"),
    Key("poll_interval", Duration(), 300.0, "how often the daemon wakes to read sources that are due"),
)))


def _business_check(values: dict[str, Any], report: Report) -> None:
    from calsync.config.holidays import BACKENDS, holiday_source
    from calsync.errors import ConfigError

    if values["calendar"] in BACKENDS:
        try:
            holiday_source(values["calendar"], values["region"])
        except ConfigError as exc:
            report.problems.extend(exc.problems)
    if not {"business.start", "business.close"} & report.bad and values["start"] >= values["close"]:
        report.problem("business.start", f"{values['start']:%H:%M} must be before business.close {values['close']:%H:%M}")


add_table(Table("match", "which events are interviews (any of these hits)", (
    Key("tags", ListOf(item=Text(max_length=100)), ("#interview",), "found case-insensitively in the title or description"),
    Key("categories", ListOf(item=Text(max_length=100)), ("interview",), "iCalendar CATEGORIES"),
    Key("summary_regex", Pattern(), "", 'a title regex, e.g. "(?i)^(onsite|phone screen)"; empty: off'),
    Key("color_ids", ListOf(item=Text(max_length=20)), (), 'Google colorId values, e.g. ["11"]'),
    Key("application_tags", ListOf(item=Text(max_length=100)), ("#applied",), "these mark a job application instead"),
    Key("auto", Choice(options=("suggest", "plan", "off")), "suggest",
        "untagged events that read like interviews: suggest them, plan them, or off"),
    Key("auto_threshold", Fraction(), 0.9, 'under auto = "plan", suggestions scoring this or more are planned'),
)))

add_table(Table("business", "business days and hours", (
    Key("region", Text(max_length=20), "US", "holiday calendar: US, US-CA, GB, DE, …"),
    Key("calendar", Choice(options=("holidays", "workalendar")), "holidays", "holiday data: python-holidays or workalendar"),
    Key("start", Clock(), Clock().read("09:00", Path()), "start of business"),
    Key("close", Clock(), Clock().read("17:00", Path()), "close of business"),
    Key("extra_holidays", ListOf(item=Day(), frozen_set=True), frozenset(), "your own days off, e.g. [2026-12-24]"),
    Key("extra_working_days", ListOf(item=Day(), frozen_set=True), frozenset(), "days that count as business days anyway"),
), _business_check))

add_table(Table("rules", "timing of the follow-ups", (
    Key("same_day_cutoff", Clock(), None, "thank-you notes the same day for interviews ending by then (default: close − 2 h)",
        example='"15:00"'),
    Key("check_in_time", Clock(), Clock().read("10:00", Path()), "time of day for check-ins"),
    Key("check_in_wait_business_days", Whole(minimum=1, maximum=60), 5, "business days to wait when no timeline was stated"),
    Key("check_in_channel", Choice(options=("call", "email")), "call", '"no phone calls" in the event forces email'),
    Key("application_wait_business_days", Whole(minimum=1, maximum=60), 5, "business days before following up an application"),
)))

add_table(Table("drafts", "the drafts written into each follow-up", (
    Key("signature", Text(), "", "signs every draft", example='"Robin Example"'),
)))


def _template_fields() -> frozenset[str]:
    return frozenset({"name", "first_name", "greeting", "who", "phone_part", "company", "at_company", "role", "the_role",
                      "the_conversation", "date", "interview", "signature", "signature_name"})


TEMPLATE_FIELDS = _template_fields()


def _templates_check(values: dict[str, Any], report: Report) -> None:
    from calsync.core.drafts import tone_problems

    for kind, body in values.items():
        for phrase in tone_problems(body or "", kind):
            report.warning(f"drafts.templates.{kind}", f"the phrase {phrase!r} sounds demanding or negative; ask, don't demand")


add_table(Table("drafts.templates", "your own e-mail bodies per follow-up kind; fields: "
                + " ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS)), tuple(
    Key(kind, Template(fields=TEMPLATE_FIELDS), None, f"the {kind.replace('_', '-')} e-mail body",
        example='"{greeting}\\n\\nThank you for your time on {date}…"' if kind == "thank_you" else "")
    for kind in ("thank_you", "check_in", "second_check_in", "feedback_request", "application_follow_up")
), _templates_check))

add_table(Table("limits", "against broken or hostile calendars", (
    Key("max_bytes", Whole(minimum=1, maximum=1 << 30), 20 * 1024 * 1024, "largest calendar read, in bytes"),
    Key("max_components", Whole(minimum=1, maximum=10_000_000), 50_000, "most components in one calendar"),
    Key("max_occurrences", Whole(minimum=1, maximum=100_000), 500, "most occurrences per recurring series"),
    Key("window_past_days", Whole(minimum=0, maximum=3650), 90, "recurring interviews are expanded from this many days ago"),
    Key("window_future_days", Whole(minimum=1, maximum=3650), 400, "… up to this many days ahead"),
    Key("connect_timeout", Duration(maximum=600.0), 10.0, "to connect to a calendar URL"),
    Key("total_timeout", Duration(maximum=3600.0), 60.0, "for a whole download"),
    Key("max_redirects", Whole(minimum=0, maximum=20), 5, "redirects followed"),
)))


add_table(Table("feed", "the .ics feed and its server", (
    Key("name", Text(max_length=200), "Job search follow-ups", "the calendar's name in your app"),
    Key("file", Text(max_length=4096), "followups.ics", "inside state_dir unless absolute"),
    Key("bind", BindAddress(), "127.0.0.1", "address to listen on; 0.0.0.0 serves your home network"),
    Key("port", Whole(minimum=0, maximum=65535), 8737, "port to listen on (0: any free port)"),
    Key("public_url", WebAddress(allow_empty=True), "", 'e.g. "https://calsync.example.net" behind a reverse proxy'),
    Key("todos", Flag(), False, "also publish VTODO twins"),
    Key("alarm_minutes", Whole(minimum=0, maximum=40320), 15, "reminder before each follow-up"),
    Key("refresh_interval", Duration(maximum=7 * 86400.0), 3600.0, "how often apps should refetch (a hint)"),
    Key("max_connections", Whole(minimum=1, maximum=10_000), 32, "concurrent connections served"),
    Key("connection_timeout", Duration(maximum=600.0), 10.0, "per connection"),
)))


def _google_check(values: dict[str, Any], report: Report) -> None:
    from calsync.config.google_limits import google_problems

    for where, problem in google_problems(values["reminder_minutes"], values["color_id"]):
        if where not in report.bad:
            report.problem(where, problem)


add_table(Table("google", "Google Calendar as a sink (see the README)", (
    Key("sink", Flag(), False, "write follow-ups into Google Calendar"),
    Key("sink_calendar_id", Text(max_length=500), "", "empty: a calendar calsync creates (least access)"),
    Key("sink_calendar_name", Text(max_length=200), "Job search follow-ups", "the name of that calendar"),
    Key("color_id", Text(max_length=20), "", "Google colorId for follow-ups"),
    Key("reminder_minutes", ListOf(item=Whole(minimum=0, maximum=40320), max_items=5), (10,), "popup reminders, at most 5"),
    Key("token_file", Text(max_length=4096), "", "default: $CREDENTIALS_DIRECTORY/google-token or state_dir/google-token.json"),
    Key("api_endpoint", Text(max_length=4096), "", "tests only: a fake Calendar API"),
    Key("token_uri", Text(max_length=4096), "", "tests only: a fake OAuth token endpoint"),
), check=_google_check))



# Source types ----------------------------------------------------------------------------------


def _ics_check(values: dict[str, Any], report: Report) -> None:
    where = values["_where"]
    if {f"{where}.path", f"{where}.url"} & report.bad:
        return
    if (values["path"] is None) == (values["url"] is None):
        report.problem(values["_where"], "give exactly one of path or url")


def _ics_name(values: dict[str, Any]) -> str:
    from calsync.ics.redaction import url_label

    if values["path"] is not None:
        return Path(values["path"]).name
    return url_label(values["url"] or "")


add_source_type(SourceType("ics", "an .ics file or URL", (
    Key("path", Place(), None, "a file, relative to this configuration"),
    Key("url", WebAddress(), None, "an http(s) URL (a secret: check-config hides it)"),
), _ics_name, _ics_check))

add_source_type(SourceType("google", "a Google calendar (run `calsync auth google` once)", (
    Key("calendar_id", Text(max_length=500), "primary", "the calendar's ID"),
), lambda values: f"google:{values['calendar_id']}"))

add_source_type(SourceType("sample", "the demo calendar: sample interviews in the weeks ahead of today (no account, no network)",
                           (), lambda values: "sample"))
