"""The configuration written back as TOML from the schema: resolved (`check-config`) or a starter (`init`)."""
from __future__ import annotations

from typing import Any

from calsync.config import Config
from calsync.config.schema import SCHEMA, Key


def _secret_url(url: str) -> str:
    from calsync.ics.redaction import redact_url

    return redact_url(url)


def _line(key: Key, value: Any, annotated: bool, commented: bool = False) -> list[str]:
    if not key.help:  # a refused key (a password): never shown
        return []
    lines = [f"# {key.help}"] if annotated and key.help else []
    if value is None:
        if annotated:
            lines.append(f"# {key.name} = {key.example}" if key.example else f"# {key.name} =")
        elif key.name == "same_day_cutoff":
            lines.append(f"# {key.name} unset: {key.help}")
        return lines
    lines.append(f"{'# ' if commented else ''}{key.name} = {key.kind.write(value)}")
    return lines


def render_config(config: Config, show_secrets: bool = False, annotated: bool = False, found: str = "") -> str:
    """Every key with its resolved value, as TOML that loads back into the same configuration."""
    values = config.values
    where = found or (str(config.file) if config.file else "none (built-in defaults)")
    out = [f"# calsync configuration, resolved from: {where}"]
    for key in SCHEMA.table("").keys:
        out += _line(key, values[""][key.name], annotated)
    hidden = False
    for source in values["sources"]:
        source_type = SCHEMA.source_types[source["type"]]
        out += ["", "[[sources]]"] + ([f"# {source_type.help}"] if annotated else [])
        for key in SCHEMA.source_common() + source_type.keys:
            value = source.get(key.name)
            if value is None:
                continue
            if key.name == "url" and not show_secrets and _secret_url(value) != value:
                value, hidden = _secret_url(value), True
                out.append("# the URL below is shortened: it may carry a secret (check-config --show-secrets prints it)")
            out += _line(key, value, annotated)
    for table in SCHEMA.tables[1:]:
        out += ["", f"[{table.name}]"] + ([f"# {table.help}"] if annotated and table.help else [])
        for key in table.keys:
            out += _line(key, values[table.name][key.name], annotated)
    for warning in config.warnings:
        out.append(f"# warning: {warning}")
    if hidden:
        out.append("# some URLs were shortened; this text does not load back into the same configuration")
    return "\n".join(out) + "\n"


def render_starter(zone: str, source: str | None = None, state_dir: str | None = None) -> str:
    """A commented starter configuration: the time zone and one source set, every other key at its default."""
    from calsync.config.toml_text import toml_string

    out = ["# calsync configuration (written by `calsync init`). Every key is optional; the commented",
           "# lines show the defaults. `calsync check-config` shows what calsync reads from this file.",
           "", f"# {SCHEMA.table('').keys[0].help}", f"timezone = {toml_string(zone)}"]
    defaults = {k: (k.default() if callable(k.default) else k.default) for t in SCHEMA.tables for k in t.keys}
    for key in SCHEMA.table("").keys[1:]:
        if key.name == "state_dir" and state_dir:
            out += ["", f"# {key.help}", "# The system service's directory: the CLI run as root shares the service's state.",
                    f"state_dir = {toml_string(state_dir)}"]
            continue
        out += [""] + _starter_line(key, defaults[key])
    out += ["", "# Your interview calendars: repeat [[sources]] for each. type = "
            + " | ".join(f'"{n}" ({t.help})' for n, t in SCHEMA.source_types.items())]
    if source:
        kind = "url" if source.startswith(("http://", "https://")) else "path"
        out += ["[[sources]]", 'type = "ics"', f"{kind} = {toml_string(source)}", 'interval = "15m"']
    else:
        out += ["# [[sources]]", '# type = "ics"', '# path = "interviews.ics"          # or: url = "https://…/basic.ics"',
                '# interval = "15m"']
    for table in SCHEMA.tables[1:]:
        out += ["", f"[{table.name}]"] + ([f"# {table.help}"] if table.help else [])
        for key in table.keys:
            out += _starter_line(key, defaults[key])
    return "\n".join(out) + "\n"


def _starter_line(key: Key, default: Any) -> list[str]:
    if not key.help:
        return []
    if key.name == "state_dir":
        return [f"# {key.help}", '# state_dir = "/var/lib/calsync"']
    if default is None:
        return [f"# {key.help}", f"# {key.name} = {key.example}" if key.example else f"# {key.name} ="]
    return [f"# {key.help}", f"# {key.name} = {key.kind.write(default)}"]
