"""The one glue step: read sources, plan, reconcile against state, publish to the sinks."""
from __future__ import annotations

import datetime as dt
import logging

from calsync.config import Config, SourceConfig
from calsync.core.model import SourceEvent
from calsync.errors import ConfigError
from calsync.sources.ics_source import IcsSource

log = logging.getLogger("calsync")


def make_ics_source(source: SourceConfig, config: Config) -> IcsSource:
    return IcsSource(
        source.name, source.location, config.plan.zone, config.ics_limits,
        config.fetch.connect_timeout, config.fetch.total_timeout, config.fetch.max_redirects,
    )


def read_all_sources(sources: tuple[SourceConfig, ...], config: Config, now: dt.datetime) -> tuple[list[SourceEvent], list[str]]:
    """Every event of every source, read once; the first failing source raises SourceError."""
    events: list[SourceEvent] = []
    warnings: list[str] = []
    for source in sources:
        if source.kind != "ics":
            raise ConfigError([f"source {source.name!r}: `calsync plan` reads .ics sources; Google sources need `calsync run`"])
        snapshot = make_ics_source(source, config).read(now)
        events.extend(snapshot.events or ())
        warnings.extend(snapshot.warnings)
    return events, warnings
