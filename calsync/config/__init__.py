"""Load and validate the TOML configuration; every problem is reported at once, with its path."""
from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calsync.core.drafts import tone_problems
from calsync.core.model import Channel, Kind
from calsync.core.settings import BusinessSettings, DraftSettings, MatchSettings, PlanSettings, RuleSettings
from calsync.errors import ConfigError
from calsync.ics.fetch import normalize_url
from calsync.ics.parse import IcsLimits
from calsync.ics.redaction import redact_url, url_label
from calsync.config.tables import TableReader as _Reader
from calsync.config.caldav import CaldavConfig, caldav_credentials as _credentials, caldav_table as _caldav, caldav_url as _caldav_url



@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str  # "ics", "google" or "caldav"
    location: str = ""  # a path or an http(s) URL for ics; the calendar collection URL for caldav
    calendar_id: str = ""
    interval: float = 900.0
    username: str = ""  # caldav
    password_file: str = ""  # caldav: resolved path; empty means $CREDENTIALS_DIRECTORY/caldav-password


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 10.0
    total_timeout: float = 60.0
    max_redirects: int = 5


@dataclass(frozen=True)
class FeedConfig:
    name: str = "Job search follow-ups"
    file: str = "followups.ics"
    bind: str = "127.0.0.1"
    port: int = 8737
    public_url: str = ""
    todos: bool = False
    alarm_minutes: int = 15
    refresh_interval: float = 3600.0
    max_connections: int = 32
    connection_timeout: float = 10.0


@dataclass(frozen=True)
class GoogleConfig:
    sink: bool = False
    sink_calendar_id: str = ""  # empty: a calendar calsync creates
    sink_calendar_name: str = "Job search follow-ups"
    color_id: str = ""
    reminder_minutes: tuple[int, ...] = (10,)
    token_file: str = ""
    api_endpoint: str = ""  # tests only: a fake Calendar API
    token_uri: str = ""  # tests only: a fake OAuth token endpoint


@dataclass(frozen=True)
class Config:
    plan: PlanSettings
    sources: tuple[SourceConfig, ...]
    state_dir: Path
    ics_limits: IcsLimits = IcsLimits()
    fetch: FetchLimits = FetchLimits()
    feed: FeedConfig = FeedConfig()
    google: GoogleConfig = GoogleConfig()
    caldav: CaldavConfig = CaldavConfig()
    poll_interval: float = 300.0
    file: Path | None = None
    warnings: tuple[str, ...] = field(default=())


def system_zone() -> ZoneInfo:
    """The machine's zone: $TZ, /etc/localtime, /etc/timezone, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def default_state_dir() -> Path:
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "calsync"


def _zone(root: _Reader) -> ZoneInfo:
    name = root.string("timezone", "")
    if not name:
        return system_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        root.problems.append(f"timezone: unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')")
        return ZoneInfo("UTC")


def _match(r: _Reader) -> MatchSettings:
    regex = r.string("summary_regex", "")
    if regex:
        try:
            re.compile(regex)
        except re.error as exc:
            r.problems.append(f"match.summary_regex: not a valid regular expression ({exc})")
            regex = ""
    settings = MatchSettings(
        tags=r.strings("tags", MatchSettings.tags),
        categories=r.strings("categories", MatchSettings.categories),
        summary_regex=regex,
        color_ids=r.strings("color_ids", ()),
        application_tags=r.strings("application_tags", MatchSettings.application_tags),
    )
    r.check_unknown()
    return settings


def _business(r: _Reader) -> BusinessSettings:
    from calsync.config.holidays import BACKENDS, holiday_source

    backend = r.string("calendar", "holidays")
    region = r.string("region", "US")
    if backend not in BACKENDS:
        r.problems.append(f"business.calendar: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    else:
        try:
            holiday_source(backend, region)
        except ConfigError as exc:
            r.problems.extend(exc.problems)
    settings = BusinessSettings(
        region=region,
        calendar=backend,
        start=r.clock("start", dt.time(9, 0)) or dt.time(9, 0),
        close=r.clock("close", dt.time(17, 0)) or dt.time(17, 0),
        extra_holidays=r.dates("extra_holidays"),
        extra_working_days=r.dates("extra_working_days"),
    )
    if settings.start >= settings.close:
        r.problems.append(f"business.start: {settings.start:%H:%M} must be before business.close {settings.close:%H:%M}")
    r.check_unknown()
    return settings


def _rules(r: _Reader) -> RuleSettings:
    channel = r.string("check_in_channel", "call")
    if channel not in {c.value for c in Channel}:
        r.problems.append(f"rules.check_in_channel: expected 'call' or 'email', got {channel!r}")
        channel = "call"
    settings = RuleSettings(
        same_day_cutoff=r.clock("same_day_cutoff", None),
        check_in_time=r.clock("check_in_time", dt.time(10, 0)) or dt.time(10, 0),
        check_in_wait_business_days=r.integer("check_in_wait_business_days", 5, minimum=1),
        check_in_channel=Channel(channel),
        application_wait_business_days=r.integer("application_wait_business_days", 5, minimum=1),
    )
    r.check_unknown()
    return settings


def _drafts(r: _Reader, warnings: list[str]) -> DraftSettings:
    signature = r.string("signature", "")
    t = r.table("templates")
    kinds = {k.value for k in Kind}
    templates: list[tuple[str, str]] = []
    for key in t.data:
        if key not in kinds:
            continue
        body = t.string(key, "")
        templates.append((key, body))
        for phrase in tone_problems(body, key):
            warnings.append(f"drafts.templates.{key}: the phrase {phrase!r} sounds demanding or negative; ask, don't demand")
    t.check_unknown()
    r.check_unknown()
    return DraftSettings(signature=signature, templates=tuple(templates))


def _sources(root: _Reader, base: Path) -> tuple[SourceConfig, ...]:
    raw = root.get("sources", [], list, "an array of tables ([[sources]])")
    found: list[SourceConfig] = []
    for i, item in enumerate(raw):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            root.problems.append(f"{where}: expected a table")
            continue
        r = _Reader(item, where, root.problems)
        kind = r.string("type", "ics")
        path, url = r.string("path", ""), normalize_url(r.string("url", ""))  # webcal:// means https://
        calendar_id = r.string("calendar_id", "")
        interval = r.duration("interval", 900.0)
        name = r.string("name", "")
        if kind == "ics":
            if bool(path) == bool(url):
                r.problems.append(f"{where}: give exactly one of path or url")
            if url and not re.match(r"^https?://", url, re.IGNORECASE):
                r.problems.append(f"{where}.url: only http://, https:// and webcal:// URLs are supported, got {redact_url(url)!r}")
            location = url or str((base / os.path.expanduser(path)).resolve()) if (url or path) else ""
        elif kind == "google":
            location, calendar_id = "", calendar_id or "primary"
        elif kind == "caldav":
            location = _caldav_url(r, "url", required=True)
        else:
            r.problems.append(f"{where}.type: expected 'ics', 'google' or 'caldav', got {kind!r}")
            location = ""
        username, password_file = _credentials(r, base) if kind == "caldav" else ("", "")
        found.append(SourceConfig(name=name or _default_name(kind, path, url, calendar_id), kind=kind,
                                  location=location, calendar_id=calendar_id, interval=interval,
                                  username=username, password_file=password_file))
        r.check_unknown()
    names = [s.name for s in found]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        root.problems.append(f"sources: two sources are named {dup!r}; give each a distinct name")
    return tuple(found)


def _default_name(kind: str, path: str, url: str, calendar_id: str) -> str:
    if kind == "google":
        return f"google:{calendar_id or 'primary'}"
    if kind == "caldav":
        return "caldav:" + url_label(url)
    return Path(path).name if path else url_label(url)


def _limits(r: _Reader) -> tuple[IcsLimits, FetchLimits]:
    ics = IcsLimits(
        max_bytes=r.integer("max_bytes", IcsLimits.max_bytes, minimum=1),
        max_components=r.integer("max_components", IcsLimits.max_components, minimum=1),
        max_occurrences=r.integer("max_occurrences", IcsLimits.max_occurrences, minimum=1),
        window_past_days=r.integer("window_past_days", IcsLimits.window_past_days),
        window_future_days=r.integer("window_future_days", IcsLimits.window_future_days, minimum=1),
    )
    fetch = FetchLimits(
        connect_timeout=r.duration("connect_timeout", 10.0),
        total_timeout=r.duration("total_timeout", 60.0),
        max_redirects=r.integer("max_redirects", 5),
    )
    r.check_unknown()
    return ics, fetch


def _feed(r: _Reader) -> FeedConfig:
    feed = FeedConfig(
        name=r.string("name", FeedConfig.name),
        file=r.string("file", FeedConfig.file),
        bind=r.string("bind", FeedConfig.bind),
        port=r.integer("port", FeedConfig.port),
        public_url=r.string("public_url", "").rstrip("/"),
        todos=r.boolean("todos", False),
        alarm_minutes=r.integer("alarm_minutes", 15),
        refresh_interval=r.duration("refresh_interval", 3600.0),
        max_connections=r.integer("max_connections", 32, minimum=1),
        connection_timeout=r.duration("connection_timeout", 10.0),
    )
    if feed.port > 65535:
        r.problems.append(f"feed.port: expected a port from 0 to 65535, got {feed.port}")
    r.check_unknown()
    return feed


def _google(r: _Reader) -> GoogleConfig:
    google = GoogleConfig(
        sink=r.boolean("sink", False),
        sink_calendar_id=r.string("sink_calendar_id", ""),
        sink_calendar_name=r.string("sink_calendar_name", GoogleConfig.sink_calendar_name),
        color_id=r.string("color_id", ""),
        reminder_minutes=tuple(int(m) for m in r.get("reminder_minutes", [10], list, "a list of minutes")),
        token_file=r.string("token_file", ""),
        api_endpoint=r.string("api_endpoint", ""),
        token_uri=r.string("token_uri", ""),
    )
    r.check_unknown()
    return google


def build_config(data: dict[str, Any], file: Path | None = None) -> Config:
    """Validate parsed TOML; raises ConfigError listing every problem."""
    problems: list[str] = []
    warnings: list[str] = []
    root = _Reader(data, "", problems)
    base = file.parent if file is not None else Path.cwd()
    zone = _zone(root)
    me = tuple(a.lower() for a in root.strings("me", ()))
    plan = PlanSettings(
        zone=zone,
        me=me,
        match=_match(root.table("match")),
        business=_business(root.table("business")),
        rules=_rules(root.table("rules")),
        drafts=_drafts(root.table("drafts"), warnings),
    )
    sources = _sources(root, base)
    state = root.string("state_dir", "")
    ics_limits, fetch = _limits(root.table("limits"))
    config = Config(
        plan=plan,
        sources=sources,
        state_dir=(base / os.path.expanduser(state)).resolve() if state else default_state_dir(),
        ics_limits=ics_limits,
        fetch=fetch,
        feed=_feed(root.table("feed")),
        google=_google(root.table("google")),
        caldav=_caldav(root.table("caldav"), base),
        poll_interval=root.duration("poll_interval", 300.0),
        file=file,
        warnings=tuple(warnings),
    )
    root.check_unknown()
    if problems:
        raise ConfigError(problems, str(file) if file else None)
    return config


def load_config(path: str | Path | None) -> Config:
    """Read a TOML file (or defaults when ``path`` is None)."""
    if path is None:
        return build_config({})
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(["file not found; pass --config with an existing file"], str(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot be read ({exc})"], str(file)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML ({exc})"], str(file)) from None
    return build_config(data, file.resolve())
