"""`calsync check-config`: the resolved configuration, as a person would read it."""
from __future__ import annotations

import datetime as dt

from calsync.config import Config


def _value(value: object) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (frozenset, set)):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if hasattr(value, "value"):
        return str(value.value)  # enums
    return str(value)


def describe_config(config: Config) -> str:
    from calsync.ics.fetch import redact_url

    plan = config.plan
    lines = [f"# configuration: {config.file or '(none: built-in defaults)'}", f"timezone = {plan.zone.key}",
             f"me = {_value(plan.me)}", f"state_dir = {config.state_dir}", f"poll_interval = {config.poll_interval:g}s"]
    sections = {
        "match": plan.match, "business": plan.business, "rules": plan.rules,
        "limits": config.ics_limits, "fetch": config.fetch, "feed": config.feed, "google": config.google,
        "caldav": config.caldav,
    }
    for title, section in sections.items():
        lines.append(f"\n[{title}]")
        for key, value in vars(section).items():
            lines.append(f"{key} = {_value(value)}")
        if title == "rules":
            lines.append(f"same_day_cutoff (effective) = {_value(plan.cutoff)}")
    lines.append(f"\n[drafts]\nsignature = {plan.drafts.signature or '(none)'}\ntemplates = {_value(tuple(k for k, _ in plan.drafts.templates))}")
    for i, source in enumerate(config.sources):
        where = redact_url(source.location) if source.location.startswith(("http://", "https://")) else source.location
        lines.append(f"\n[[sources]]  # {i}\nname = {source.name}\ntype = {source.kind}\nlocation = {where or source.calendar_id}\ninterval = {source.interval:g}s")
        if source.kind == "caldav":
            lines.append(f"username = {source.username}\npassword_file = {source.password_file or '(default)'}")
    for warning in config.warnings:
        lines.append(f"\n# warning: {warning}")
    return "\n".join(lines)
