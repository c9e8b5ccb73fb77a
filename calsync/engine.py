"""The one glue step: read sources, plan, reconcile against state, publish to the sinks."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from calsync import __version__
from calsync.config import Config, SourceConfig
from calsync.core.links import with_card_links
from calsync.core.model import FollowUp, SourceEvent
from calsync.core.reconcile import Action, Change, Observed, content_hash, deletes_too_many, reconcile
from calsync.errors import AuthError, CalsyncError, StateError, TransientError
from calsync.planner import PlanResult, build_plan
from calsync.ics.fetch import Validators
from calsync.ics.cache import EventCache
from calsync.core.suggest import prefilter_cues
from calsync.ics.prefilter import EventFilter
from calsync.ics.source import IcsSource, Snapshot
from calsync.state import AUTH_ERROR_PREFIX, PlanItem, StateStore
from calsync.web.urls import card_link_base

log = logging.getLogger("calsync")
RETRY_BASE_SECONDS = 30.0
REPLAN_SECONDS = 900.0  # a full pass at least this often, even when nothing changed
CLEAN_PASS_KEY = "clean_pass"  # meta: the inputs of the last clean pass, for the next process


class Source(Protocol):
    name: str

    def read(self, now: dt.datetime, validators: Validators = ...) -> Snapshot: ...

    def restore(self, body: bytes | None, now: dt.datetime) -> Snapshot | None: ...


class Sink(Protocol):
    name: str

    @property
    def style_key(self) -> str: ...

    def observed(self) -> dict[str, Observed]: ...

    def apply(self, changes: list[Change], done: set[str], now: dt.datetime) -> None: ...

    def flush(self) -> bool: ...


def make_ics_source(source: SourceConfig, config: Config) -> IcsSource:
    return IcsSource(
        source.name, source.location, config.plan.zone, config.ics_limits,
        config.fetch.connect_timeout, config.fetch.total_timeout, config.fetch.max_redirects,
        EventFilter(config.plan.match, prefilter_cues() if config.plan.match.auto != "off" else frozenset()),
    )


def read_all_sources(sources: tuple[SourceConfig, ...], config: Config, now: dt.datetime) -> tuple[list[SourceEvent], list[str]]:
    """Every event of every source, read once; the first failing source raises SourceError."""
    events: list[SourceEvent] = []
    warnings: list[str] = []
    for source in sources:
        if source.kind in ("google", "caldav"):
            from calsync.state import StateStore

            scratch = StateStore(":memory:", config.plan.zone)  # a full listing kept nowhere: plan writes nothing
            try:
                if source.kind == "google":
                    from calsync.google.source import make_google_source

                    snapshot = make_google_source(source, config, scratch).read(now)
                else:
                    from calsync.caldav.source import make_caldav_source

                    snapshot = make_caldav_source(source, config, scratch).read(now)
            finally:
                scratch.close()
        else:
            snapshot = make_ics_source(source, config).read(now)
        events.extend(snapshot.events or ())
        warnings.extend(snapshot.warnings)
    return events, warnings


@dataclass
class _Polled:
    source: Source
    interval: float
    events: tuple[SourceEvent, ...] | None = None  # last good snapshot
    next_due: dt.datetime | None = None
    failing: bool = False
    failures: int = 0
    validators: Validators | None = None  # of the bytes behind ``events``

    def retry_delay(self) -> float:
        """The normal interval, or a capped exponential backoff while the source fails."""
        if not self.failures:
            return self.interval
        return min(self.interval, RETRY_BASE_SECONDS * 2 ** (self.failures - 1))


@dataclass
class PassReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    interviews: int = 0
    followups: int = 0
    missed: int = 0
    feed_written: bool = False
    failed_sources: list[str] = field(default_factory=list)
    refused: str = ""
    auth_errors: dict[str, str] = field(default_factory=dict)  # "source:NAME" / "sink:NAME" -> why its login failed
    transient: list[str] = field(default_factory=list)  # worth retrying soon: a busy server, a timeout
    stopped: bool = False  # a stop request ended the pass between two steps

    @property
    def auth_error(self) -> str:
        """Every login problem of this pass, one after the other; everything else went on."""
        return "; ".join(self.auth_errors.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.feed_written or self.refused)

    def line(self) -> str:
        text = (f"{self.interviews} interviews, {self.followups} follow-ups "
                f"(+{self.created} ~{self.updated} -{self.deleted}), {self.missed} missed")
        if self.failed_sources:
            text += f"; failing: {', '.join(self.failed_sources)}"
        for error in dict.fromkeys("CalDAV login refused" if e.startswith("CalDAV") else "Google needs re-authorization"
                                   for e in self.auth_errors.values()):
            text += f"; {error}"
        if self.refused:
            text += f"; REFUSED: {self.refused}"
        return text


@dataclass
class _IdlePass:
    """The inputs of the last clean pass: the same inputs again make the same plan, so the pass is skipped."""

    inputs: tuple[object, ...] | None = None
    counts: tuple[int, int, int] = (0, 0, 0)
    changes_after: int = -1
    replan_at: dt.datetime | None = None

    def unchanged(self, inputs: tuple[object, ...] | None, now: dt.datetime) -> bool:
        return inputs is not None and inputs == self.inputs and self.replan_at is not None and now < self.replan_at

    def remember(self, inputs: tuple[object, ...] | None, now: dt.datetime, counts: tuple[int, int, int], changes: int) -> None:
        self.inputs, self.counts, self.changes_after = inputs, counts, changes
        self.replan_at = now + dt.timedelta(seconds=REPLAN_SECONDS)


class Engine:
    """Owns the polled sources and the sinks; ``tick`` is one pass."""

    def __init__(self, config: Config, store: StateStore, sinks: list[Sink], sources: list[tuple[Source, float]]) -> None:
        self.config, self.store, self.sinks = config, store, sinks
        self.polled = {src.name: _Polled(src, interval) for src, interval in sources}
        self._idle = _IdlePass()
        for src, _ in sources:
            if isinstance(src, IcsSource):
                src.cache = EventCache(store, src.name)
        self.last_result: PlanResult | None = None  # what the board shows

    def next_wake(self, now: dt.datetime) -> float:
        """Seconds until the next source is due."""
        dues = [p.next_due for p in self.polled.values() if p.next_due is not None]
        return max(0.0, min((d - now).total_seconds() for d in dues)) if dues else 0.0

    def _restore(self, polled: _Polled, now: dt.datetime) -> None:
        """The last good snapshot kept in state, used only while the source cannot be read (after a restart)."""
        _, _, body = self.store.source_state(polled.source.name)
        try:
            restored = polled.source.restore(body, now)
            polled.events = restored.events if restored is not None else None
        except StateError:
            raise
        except Exception as exc:  # whatever a stored calendar does, the daemon keeps running
            log.warning("%s: stored snapshot unusable (%s)", polled.source.name, exc if isinstance(exc, CalsyncError) else _unexpected(exc))

    def _poll(self, polled: _Polled, now: dt.datetime, force: bool, report: PassReport) -> None:
        name = polled.source.name
        if polled.validators is None:  # after a restart: a 304 (or unchanged bytes) restores the stored snapshot
            etag, last_modified, _ = self.store.source_state(name)
            polled.validators = Validators(etag, last_modified)
        try:
            snapshot = polled.source.read(now, polled.validators)
        except AuthError as exc:
            report.auth_errors[f"source:{name}"] = str(exc)
            self._note_auth(f"source:{name}", str(exc))
            report.failed_sources.append(name)
            if polled.events is None:
                self._restore(polled, now)
            self.store.source_failed(name, now, str(exc))
            return
        except StateError:
            raise
        except Exception as exc:  # any failure of one source fails that source for this pass, never the daemon
            if not isinstance(exc, CalsyncError):
                log.debug("source %s", name, exc_info=True)
                exc = CalsyncError(_unexpected(exc))
            report.failed_sources.append(name)
            if isinstance(exc, TransientError):
                report.transient.append(name)
            if polled.events is None:
                self._restore(polled, now)
            if not polled.failing:
                log.warning("source %s failed, keeping its last good snapshot: %s", name, exc)
            polled.failing = True
            polled.failures += 1
            self.store.source_failed(name, now, str(exc))
            return
        for warning in snapshot.warnings:
            log.warning("%s", warning)
        if polled.events is None and not snapshot.events:  # unchanged or empty after a restart: compare with state
            self._restore(polled, now)
        if snapshot.events is not None:
            if not snapshot.events and polled.events and not force:
                report.failed_sources.append(name)
                message = f"returned no events (had {len(polled.events)}); keeping the last good snapshot — run with --force if that is right"
                log.warning("source %s %s", name, message)
                self.store.source_failed(name, now, message)
                return
            polled.events = snapshot.events
        polled.validators = snapshot.validators
        if polled.failing:
            log.info("source %s is back", name)
        polled.failing, polled.failures = False, 0
        self._note_auth(f"source:{name}", "")
        self.store.source_ok(name, now, snapshot.validators.etag, snapshot.validators.last_modified, snapshot.body,
                             len(polled.events or ()))

    def tick(self, now: dt.datetime, force: bool = False, poll_all: bool = False,
             stopping: Callable[[], bool] = lambda: False) -> PassReport:
        """Poll due sources, plan, and bring every sink up to date; ``stopping`` ends it between steps."""
        report = PassReport()
        written_between = self.store.db.total_changes != self._idle.changes_after  # e.g. a mark on this connection
        for polled in self.polled.values():
            if stopping():
                report.stopped = True
                return report
            if poll_all or polled.next_due is None or polled.next_due <= now:
                self._poll(polled, now, force, report)
                polled.next_due = now + dt.timedelta(seconds=polled.retry_delay())
        inputs = self._inputs(now)
        durable = self._durable_inputs(now)
        if not (force or report.failed_sources):
            if not written_between and self._idle.unchanged(inputs, now):
                report.interviews, report.followups, report.missed = self._idle.counts
                self._idle.changes_after = self.store.db.total_changes
                return report  # nothing the plan depends on changed: no planning, no writes
            first_pass = self._idle.changes_after == -1
            counts = self._clean_pass_counts(durable, now) if first_pass else None
            if counts is not None:  # the same inputs as a clean pass of an earlier process (a restart, run --once)
                report.interviews, report.followups, report.missed = counts
                for sink in self.sinks:
                    report.feed_written |= sink.flush()  # a feed file deleted meanwhile is written again
                self._idle.remember(inputs, now, counts, self.store.db.total_changes)
                return report
        events = [e for p in self.polled.values() for e in (p.events or ())]
        result = build_plan(events, self.config.plan, self.store.seen(now), self.store.recorded_outcomes(),
                            self.store.suggestion_decisions())
        self.store.record_suggestions([(s.event, s.summary, s.start.isoformat(), s.score, json.dumps(list(s.reasons)))
                                       for s in result.suggestions])
        for warning in result.warnings:
            log.warning("%s", warning)
        self.store.record_seen(
            now,
            [(i.uid, i.source, i.summary, i.company, i.start.isoformat()) for i in result.interviews],
            [(i.uid, o.kind.value) for i in result.interviews for o in i.outcomes],
        )
        self.last_result = result
        plan = with_card_links(result.plan, card_link_base(self.config, self.store))
        self.store.replace_plan_items(
            [_item(f, False) for f in plan.followups] + [_item(f, True) for f in plan.missed])
        report.interviews, report.followups, report.missed = len(result.interviews), len(plan.followups), len(plan.missed)
        for sink in self.sinks:  # tasks the user ticked off in their own apps count before the writes are planned
            pull = getattr(sink, "pull_done", None)
            if pull is not None:
                try:
                    pull(now)
                except AuthError as exc:
                    report.auth_errors[f"sink:{sink.name}"] = str(exc)
                except CalsyncError as exc:
                    if isinstance(exc, TransientError):
                        report.transient.append(sink.name)
                    log.warning("sink %s: cannot read ticked-off tasks (%s); retried on the next pass", sink.name, exc)
        done = self.store.done_ids()
        sink_trouble = False
        for sink in self.sinks:
            desired = {f.id: (f, content_hash(f, f.id in done, sink.style_key)) for f in plan.followups}
            observed = sink.observed()
            changes = reconcile(desired, observed)
            if deletes_too_many(changes, observed) and not force:
                removing = sum(1 for c in changes if c.action is Action.DELETE)
                report.refused = f"{sink.name} would remove {removing} of {len(observed)} follow-ups; nothing removed (use --force if that is right)"
                log.warning("%s", report.refused)
                self.store.set_meta(f"refused:{sink.name}", f"{now.isoformat()} {report.refused}")
                changes = [c for c in changes if c.action is not Action.DELETE]
            else:
                self.store.set_meta(f"refused:{sink.name}", "")
            try:
                sink.apply(changes, done, now)
            except AuthError as exc:
                report.auth_errors[f"sink:{sink.name}"] = str(exc)
                continue
            except StateError:
                raise
            except CalsyncError as exc:
                if isinstance(exc, TransientError):
                    report.transient.append(sink.name)
                log.warning("sink %s: %s; the rest is retried on the next pass", sink.name, exc)
                sink_trouble = True
                continue
            report.feed_written |= sink.flush()
            if not report.refused and reconcile(desired, sink.observed()):
                sink_trouble = True  # an item the sink skipped: the next pass retries it
            report.created += sum(1 for c in changes if c.action is Action.CREATE)
            report.updated += sum(1 for c in changes if c.action is Action.UPDATE)
            report.deleted += sum(1 for c in changes if c.action is Action.DELETE)
        for sink in self.sinks:
            if sink.name not in report.transient:  # a sink that answered: logged in, or refused the login just now
                self._note_auth(f"sink:{sink.name}", report.auth_errors.get(f"sink:{sink.name}", ""))
        if self.store.get_meta("google_auth_error"):  # the one shared key of earlier versions
            self.store.set_meta("google_auth_error", "")
        clean = not (report.auth_error or report.refused or report.failed_sources or sink_trouble)
        counts = (report.interviews, report.followups, report.missed)
        if clean and durable is not None:
            self.store.set_meta(CLEAN_PASS_KEY, json.dumps({"inputs": durable, "at": now.isoformat(), "counts": counts}))
        self._idle.remember(inputs if clean else None, now, counts, self.store.db.total_changes)
        return report

    def _note_auth(self, key: str, error: str) -> None:
        """One state key per source and per sink (``auth_error:source:NAME``): one's recovery never hides another's problem."""
        if (self.store.get_meta(AUTH_ERROR_PREFIX + key) or "") != error:
            self.store.set_meta(AUTH_ERROR_PREFIX + key, error)

    def _durable_inputs(self, now: dt.datetime) -> str | None:
        """A digest of everything a plan is computed from that survives a restart; None when a source or sink has none."""
        if any(getattr(sink, "pull_done", None) is not None for sink in self.sinks):
            return None
        sources = [p.source.parsed_key() if isinstance(p.source, IcsSource) else None for p in self.polled.values()]
        if any(key is None for key in sources):
            return None
        db = self.store.db
        recorded = [list(db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")) for table in ("marks", "done")]
        recorded.append(sorted(self.store.suggestion_decisions().items()))  # confirm / dismiss
        config = json.dumps(dataclasses.asdict(self.config), sort_keys=True, default=_canonical)
        text = json.dumps([__version__, sources, recorded, config, [s.name for s in self.sinks], now.date().isoformat()], default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _clean_pass_counts(self, durable: str | None, now: dt.datetime) -> tuple[int, int, int] | None:
        if durable is None:
            return None
        try:
            memo = json.loads(self.store.get_meta(CLEAN_PASS_KEY) or "{}")
            recent = 0 <= (now - dt.datetime.fromisoformat(memo["at"])).total_seconds() < REPLAN_SECONDS
            return tuple(memo["counts"]) if memo["inputs"] == durable and recent else None  # type: ignore[return-value]
        except (ValueError, KeyError, TypeError):
            return None

    def _inputs(self, now: dt.datetime) -> tuple[object, ...] | None:
        """What a plan is computed from: each source's snapshot, other writers' commits, the day; None: always plan."""
        if any(getattr(sink, "pull_done", None) is not None for sink in self.sinks):
            return None  # a sink that reads remote state needs every pass
        version = self.store.db.execute("PRAGMA data_version").fetchone()[0]
        return (tuple(id(p.events) for p in self.polled.values()), version, now.date())


def _canonical(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return str(value)


def _unexpected(exc: Exception) -> str:
    return f"unexpected error: {type(exc).__name__}: {exc} (a bug: please report it with `calsync --verbose plan`)"


def _item(f: FollowUp, missed: bool) -> PlanItem:
    return PlanItem(f.id, f.interview, f.kind.value, f.start.isoformat(), f.due.isoformat(), f.channel.value, f.summary, missed)
