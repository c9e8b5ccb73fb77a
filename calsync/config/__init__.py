"""Load and validate the TOML configuration; every problem is reported at once, with its path."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calsync.config.caldav import CaldavConfig, as_caldav_config
from calsync.config.kinds import Report
from calsync.config.places import default_state_dir, system_zone
from calsync.config.schema import read_config
from calsync.core.model import Channel
from calsync.core.settings import BusinessSettings, DraftSettings, MatchSettings, PlanSettings, RuleSettings
from calsync.errors import ConfigError

if TYPE_CHECKING:
    from calsync.ics.parse import IcsLimits

SAMPLE_FILE = "sample-interviews.ics"

__all__ = ["Config", "SourceConfig", "CaldavConfig", "FeedConfig", "GoogleConfig", "FetchLimits", "build_config", "load_config",
           "default_state_dir", "system_zone"]


@dataclass(frozen=True)
class SourceConfig:
    """One [[sources]] entry, resolved."""

    name: str
    kind: str  # a registered source type: "ics", "google", "caldav"
    location: str = ""  # a path or an http(s) URL for ics; the calendar collection URL for caldav
    calendar_id: str = ""
    interval: float = 900.0
    username: str = ""  # caldav
    password_file: str = ""  # caldav: resolved path; empty means $CREDENTIALS_DIRECTORY/caldav-password
    options: tuple[tuple[str, Any], ...] = ()  # every type-specific key, resolved

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)


@dataclass(frozen=True)
class FetchLimits:
    """Timeouts and redirects for calendar URLs ([limits])."""

    connect_timeout: float = 10.0
    total_timeout: float = 60.0
    max_redirects: int = 5


@dataclass(frozen=True)
class FeedConfig:
    """The .ics feed and its server ([feed])."""

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
    """Google Calendar as a sink ([google])."""

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
    """The whole configuration, validated and typed."""

    plan: PlanSettings
    sources: tuple[SourceConfig, ...]
    state_dir: Path
    fetch: FetchLimits = FetchLimits()
    feed: FeedConfig = FeedConfig()
    google: GoogleConfig = GoogleConfig()
    caldav: CaldavConfig = CaldavConfig()
    poll_interval: float = 300.0
    file: Path | None = None
    warnings: tuple[str, ...] = field(default=())
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # resolved, per table

    @cached_property
    def ics_limits(self) -> IcsLimits:
        """The calendar parser's limits, from [limits]; the parser is imported only by what reads calendars."""
        from calsync.ics.parse import IcsLimits

        return _pick(IcsLimits, self.values.get("limits", {}))


def build_config(data: dict[str, Any], file: Path | None = None) -> Config:
    """Validate parsed TOML against the schema; raises ConfigError listing every problem."""
    report = Report([], [])
    base = file.parent if file is not None else Path.cwd()
    values = read_config(data, base, report)
    if report.problems:
        raise ConfigError(report.problems, str(file) if file else None)
    return assemble(values, file, tuple(report.warnings))


def _pick(cls: type, values: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def assemble(values: dict[str, Any], file: Path | None = None, warnings: tuple[str, ...] = ()) -> Config:
    """The typed configuration from the schema's resolved values."""
    top, drafts = values[""], values["drafts"]
    plan = PlanSettings(
        zone=top["timezone"],
        me=tuple(a.lower() for a in top["me"]),
        match=_pick(MatchSettings, values["match"]),
        business=_pick(BusinessSettings, values["business"]),
        rules=_pick(RuleSettings, values["rules"] | {"check_in_channel": Channel(values["rules"]["check_in_channel"])}),
        drafts=DraftSettings(signature=drafts["signature"],
                             templates=tuple((k, v) for k, v in values["drafts.templates"].items() if v is not None)),
    )
    return Config(
        plan=plan,
        sources=tuple(_source(s, top["state_dir"]) for s in values["sources"]),
        state_dir=top["state_dir"],
        fetch=_pick(FetchLimits, values["limits"]),
        feed=_pick(FeedConfig, values["feed"] | {"public_url": values["feed"]["public_url"].rstrip("/")}),
        google=_pick(GoogleConfig, values["google"]),
        caldav=as_caldav_config(values["caldav"]),
        poll_interval=top["poll_interval"],
        file=file,
        warnings=warnings,
        values=values,
    )


def _source(values: dict[str, Any], state_dir: Path) -> SourceConfig:
    kind = values["type"]
    common = {"name", "type", "interval", "_where"}
    options = tuple(sorted((k, v) for k, v in values.items() if k not in common))
    if kind == "sample":  # an .ics file the CLI writes into the state directory (calsync.config.sample)
        return SourceConfig(name=values["name"], kind="ics", location=str(state_dir / SAMPLE_FILE),
                            interval=values["interval"], options=(("sample", True),))
    if kind == "ics":
        location = str(values["path"]) if values["path"] is not None else values["url"]
        return SourceConfig(name=values["name"], kind=kind, location=location, interval=values["interval"], options=options)
    if kind == "google":
        return SourceConfig(name=values["name"], kind=kind, calendar_id=values["calendar_id"], interval=values["interval"], options=options)
    if kind == "caldav":
        password_file = values["password_file"]
        return SourceConfig(name=values["name"], kind=kind, location=values["url"], interval=values["interval"],
                            username=values["username"], password_file=str(password_file) if password_file else "", options=options)
    return SourceConfig(name=values["name"], kind=kind, location=str(values.get("url") or values.get("path") or ""),
                        interval=values["interval"], options=options)


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
    except IsADirectoryError:
        raise ConfigError(["is a directory; pass --config with a TOML file"], str(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot be read ({exc})"], str(file)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML ({exc})"], str(file)) from None
    except RecursionError:
        raise ConfigError(["arrays or tables nested too deeply"], str(file)) from None
    return build_config(data, file.resolve())
