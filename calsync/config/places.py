"""Where things are by default: the system time zone and the state directory."""
from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
    """$STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/calsync or ~/.local/state/calsync."""
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "calsync"


def system_root() -> Path:
    """The root the system paths live under: "/" (``$CALSYNC_SYSTEM_ROOT`` for tests and staged installs)."""
    return Path(os.environ.get("CALSYNC_SYSTEM_ROOT") or "/")


def system_config_path() -> Path:
    return system_root() / "etc" / "calsync" / "calsync.toml"


def system_state_dir() -> Path:
    """Where the system service keeps its state (systemd's StateDirectory=calsync)."""
    return system_root() / "var" / "lib" / "calsync"


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "calsync" / "calsync.toml"


def find_config(explicit: str | None) -> tuple[Path | None, str]:
    """The configuration file and how it was found: --config, $CALSYNC_CONFIG, the XDG path, /etc; else none."""
    if explicit:
        return Path(explicit), "--config"
    if os.environ.get("CALSYNC_CONFIG"):
        return Path(os.environ["CALSYNC_CONFIG"]), "$CALSYNC_CONFIG"
    for path, how in ((user_config_path(), "the user configuration"), (system_config_path(), "the system configuration")):
        if path.is_file():
            return path, how
    return None, "no file found: built-in defaults"


def service_state() -> Path | None:
    """The system service's state directory, when a state exists there (/var/lib/calsync or /var/lib/private/calsync)."""
    for candidate in (system_state_dir(), system_root() / "var" / "lib" / "private" / "calsync"):
        try:
            if (candidate / "state.sqlite3").exists():
                return candidate
        except OSError:  # not ours to look into
            continue
    return None
