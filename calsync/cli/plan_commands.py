"""`calsync plan` and `calsync check-config`: what the rules would do, and the configuration they read."""
from __future__ import annotations

import argparse
import logging

from calsync.cli.context import configured, current_time
from calsync.config import Config, SourceConfig
from calsync.errors import ConfigError

log = logging.getLogger("calsync")


def cli_sources(config: Config, locations: list[str] | None) -> tuple[SourceConfig, ...]:
    if not locations:
        return config.sources
    import re
    from pathlib import Path

    from calsync.errors import SourceError
    from calsync.ics.redaction import normalize_url, redact_url
    from calsync.ics.redaction import url_label
    from calsync.ics.source import is_url

    locations = [normalize_url(loc) for loc in locations]  # webcal:// means https://
    for loc in locations:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", loc) and not is_url(loc):
            raise SourceError(f"{redact_url(loc)}: only http:// and https:// URLs (or a file path) are supported")
    return tuple(
        SourceConfig(name=url_label(loc) if is_url(loc) else Path(loc).name, kind="ics", location=loc if is_url(loc) else str(Path(loc).resolve()))
        for loc in locations
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from calsync.engine import read_all_sources
    from calsync.planner import build_plan
    from calsync.cli.render_plan import plan_json, plan_table
    from calsync.ics.redaction import strip_escapes
    from calsync.state import open_readonly_seen

    config = configured(args)
    now = current_time(args, config)
    sources = cli_sources(config, args.source)
    if not sources:
        raise ConfigError(["no sources: pass --source FILE_OR_URL or add a [[sources]] table to the configuration"], str(config.file) if config.file else None)
    events, warnings = read_all_sources(sources, config, now)
    seen, recorded, decisions = open_readonly_seen(config, now) if not args.source or args.config else (None, {}, {})
    from calsync.core.detect import Seen

    result = build_plan(events, config.plan, seen or Seen(now, {}, {}), recorded, decisions)
    open_suggestions = tuple(s for s in result.suggestions if s.event not in decisions)  # as `status` lists them
    for warning in (*warnings, *result.warnings):
        log.warning("%s", warning)
    print(plan_json(result.plan, open_suggestions) if args.json else strip_escapes(plan_table(result.plan, result.interviews)))
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from calsync.config.render import render_config

    config = configured(args)
    print(render_config(config, show_secrets=args.show_secrets, annotated=args.annotated, found=args.config_found), end="")
    return 0
