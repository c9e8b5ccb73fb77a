"""The body of each CLI command; errors propagate to the CLI as CalsyncError."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from zoneinfo import ZoneInfo

from calsync.config import Config, SourceConfig, load_config
from calsync.errors import CalsyncError, ConfigError

log = logging.getLogger("calsync")


def parse_moment(text: str, zone: ZoneInfo, flag: str) -> dt.datetime:
    """An ISO 8601 date or date-time; naive values are in the user's zone."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00") if text.strip().endswith("Z") else text.strip())
    except ValueError:
        raise CalsyncError(f"{flag}: expected an ISO 8601 date or date-time such as 2026-12-01T09:00-08:00, got {text!r}") from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def current_time(args: argparse.Namespace, config: Config) -> dt.datetime:
    if getattr(args, "now", None):
        return parse_moment(args.now, config.plan.zone, "--now")
    return dt.datetime.now(config.plan.zone)


def configured(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None))
    for warning in config.warnings:
        log.warning("%s", warning)
    return config


def cli_sources(config: Config, locations: list[str] | None) -> tuple[SourceConfig, ...]:
    if not locations:
        return config.sources
    import re
    from pathlib import Path

    from calsync.errors import SourceError
    from calsync.ics.fetch import redact_url
    from calsync.ics.source import is_url

    for loc in locations:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", loc) and not is_url(loc):
            raise SourceError(f"{redact_url(loc)}: only http:// and https:// URLs (or a file path) are supported")
    return tuple(
        SourceConfig(name=loc if is_url(loc) else Path(loc).name, kind="ics", location=loc if is_url(loc) else str(Path(loc).resolve()))
        for loc in locations
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from calsync.engine import read_all_sources
    from calsync.planner import build_plan
    from calsync.cli.render_plan import plan_json, plan_table
    from calsync.state import open_readonly_seen

    config = configured(args)
    now = current_time(args, config)
    sources = cli_sources(config, args.source)
    if not sources:
        raise ConfigError(["no sources: pass --source FILE_OR_URL or add a [[sources]] table to the configuration"], str(config.file) if config.file else None)
    events, warnings = read_all_sources(sources, config, now)
    seen, recorded = open_readonly_seen(config, now) if not args.source or args.config else (None, {})
    from calsync.core.detect import Seen

    result = build_plan(events, config.plan, seen or Seen(now, {}, {}), recorded)
    for warning in (*warnings, *result.warnings):
        log.warning("%s", warning)
    print(plan_json(result.plan) if args.json else plan_table(result.plan, result.interviews))
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from calsync.cli.config_view import describe_config

    config = configured(args)
    print(describe_config(config))
    return 0


def dispatch(args: argparse.Namespace) -> int:
    from calsync.cli import state_commands as s

    commands = {
        "plan": cmd_plan, "check-config": cmd_check_config, "run": s.cmd_run, "serve": s.cmd_serve, "mark": s.cmd_mark,
        "done": s.cmd_done, "status": s.cmd_status, "doctor": s.cmd_doctor, "auth": s.cmd_auth, "feed-url": s.cmd_feed_url, "rotate-feed-token": s.cmd_rotate_feed_token,
    }
    handler = commands.get(args.command)
    if handler is None:
        print(f"calsync: {args.command} is not available in this build", file=sys.stderr)
        return 69
    return handler(args)
