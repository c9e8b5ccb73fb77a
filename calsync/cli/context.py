"""What every command needs first: the configuration it runs on and the time it runs at."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from calsync.config import Config, load_config
from calsync.errors import CalsyncError

log = logging.getLogger("calsync")


def parse_moment(text: str, zone: ZoneInfo, flag: str) -> dt.datetime:
    """An ISO 8601 date or date-time; naive values are in the user's zone."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00") if text.strip().endswith("Z") else text.strip())
    except ValueError:
        raise CalsyncError(f"{flag}: expected an ISO 8601 date or date-time such as 2026-12-01T09:00-08:00, got {text!r}") from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def current_time(args: argparse.Namespace, config: Config) -> dt.datetime:
    """``--now`` when given (tests, what-if), else the wall clock in the user's zone."""
    if getattr(args, "now", None):
        return parse_moment(args.now, config.plan.zone, "--now")
    return dt.datetime.now(config.plan.zone)


def configured(args: argparse.Namespace) -> Config:
    """The configuration the command runs on; its warnings are logged once."""
    config = load_config(getattr(args, "config", None))
    for warning in config.warnings:
        log.warning("%s", warning)
    return config
