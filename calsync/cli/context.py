"""What every command needs first: the configuration it runs on and the time it runs at."""
from __future__ import annotations

import argparse
import datetime as dt
import logging

from calsync.config import Config, load_config

log = logging.getLogger("calsync")


def current_time(args: argparse.Namespace, config: Config) -> dt.datetime:
    """``--now`` when given (tests, what-if), else the wall clock in the user's zone."""
    if getattr(args, "now", None):
        from calsync.cli.moments import parse_moment

        return parse_moment(args.now, config.plan.zone, "--now")
    return dt.datetime.now(config.plan.zone)


def configured(args: argparse.Namespace) -> Config:
    """The configuration the command runs on; its warnings are logged once."""
    config = load_config(getattr(args, "config", None))
    for warning in config.warnings:
        log.warning("%s", warning)
    return config
