"""Wiring: state, sources, sinks and the engine for one configuration.

Commands that only read or record state (status, mark, done, feed-url) use ``open_store`` and
``feed_path``; the engine, and with it HTTP, the planner and every source and sink type, is
imported by the functions that build one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calsync.config import Config
from calsync.errors import ConfigError
from calsync.state import StateStore, state_path

if TYPE_CHECKING:
    from calsync.engine import Engine, Sink, Source


def feed_path(config: Config) -> Path:
    path = Path(config.feed.file).expanduser()
    return path if path.is_absolute() else config.state_dir / path


def open_store(config: Config) -> StateStore:
    return StateStore(state_path(config.state_dir), config.plan.zone)


def make_sources(config: Config, store: StateStore) -> list[tuple[Source, float]]:
    from calsync.engine import make_ics_source

    found: list[tuple[Source, float]] = []
    for source in config.sources:
        if source.kind == "ics":
            found.append((make_ics_source(source, config), source.interval))
        elif source.kind == "caldav":
            from calsync.caldav.source import make_caldav_source

            found.append((make_caldav_source(source, config, store), source.interval))
        else:
            from calsync.google.source import make_google_source

            found.append((make_google_source(source, config, store), source.interval))
    if not found:
        raise ConfigError(["no sources: add a [[sources]] table to the configuration"], str(config.file) if config.file else None)
    return found


def make_sinks(config: Config, store: StateStore) -> list[Sink]:
    from calsync.ics.feed import IcsFeed
    from calsync.ics.text import FeedStyle

    feed = IcsFeed(store, feed_path(config), config.plan.zone.key, config.feed.name,
                   FeedStyle(config.feed.alarm_minutes, config.feed.todos), config.feed.refresh_interval)
    sinks: list[Sink] = [feed]
    if config.google.sink:
        from calsync.google.sink import make_google_sink

        sinks.append(make_google_sink(config, store))
    if config.caldav.sink:
        from calsync.caldav.sink import make_caldav_sink

        sinks.append(make_caldav_sink(config, store))
    return sinks


@dataclass
class Runtime:
    config: Config
    store: StateStore
    engine: Engine


def open_runtime(config: Config, store: StateStore | None = None) -> Runtime:
    from calsync.engine import Engine

    store = store or open_store(config)
    engine = Engine(config, store, make_sinks(config, store), make_sources(config, store))
    return Runtime(config, store, engine)
