"""What every command needs first: the configuration it runs on, the state it may use, and the time."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
from pathlib import Path

from calsync.config import Config, default_state_dir, load_config
from calsync.config.places import find_config, service_state
from calsync.errors import CalsyncError

log = logging.getLogger("calsync")


def current_time(args: argparse.Namespace, config: Config) -> dt.datetime:
    """``--now`` when given (tests, what-if), else the wall clock in the user's zone."""
    if getattr(args, "now", None):
        from calsync.cli.moments import parse_moment

        return parse_moment(args.now, config.plan.zone, "--now")
    return dt.datetime.now(config.plan.zone)


def configured(args: argparse.Namespace) -> Config:
    """The configuration the command runs on (found as `find_config` says); warnings logged once."""
    path, how = find_config(getattr(args, "config", None))
    args.config_found = f"{path} ({how})" if path else how
    log.debug("configuration: %s", args.config_found)
    config = load_config(path)
    for warning in config.warnings:
        log.warning("%s", warning)
    check_one_state(config)
    args.state_dir_used = config.state_dir
    samples = [s for s in config.sources if s.option("sample")]
    if samples:
        from calsync.config.sample import write_sample

        today = current_time(args, config).date()
        for source in samples:
            write_sample(Path(source.location), today)
    return config


def check_one_state(config: Config) -> None:
    """Refuse to start a second, default state beside the system service's."""
    from calsync.state import state_path

    if state_path(config.state_dir).exists() or os.environ.get("STATE_DIRECTORY"):
        return
    if config.state_dir != default_state_dir():
        return  # a state_dir chosen in the configuration: the user means it
    service = service_state()
    if service is None:
        return
    raise CalsyncError(f"no state in {config.state_dir}, but the system service keeps its state in {service}; "
                       f"run as root with the system configuration (sudo calsync --config /etc/calsync/calsync.toml …), "
                       f"or set state_dir to choose a separate state on purpose")


def hand_back_state(state_dir: Path) -> None:
    """After root wrote into a service's state, give the files back to the directory's owner (DynamicUser)."""
    if os.geteuid() != 0:
        return
    try:
        owner = state_dir.stat()
        entries = list(state_dir.iterdir())
    except OSError:
        return
    if owner.st_uid == 0:
        return
    for entry in entries:
        try:
            if entry.lstat().st_uid == 0:
                os.chown(entry, owner.st_uid, owner.st_gid, follow_symlinks=False)
        except OSError:
            continue
