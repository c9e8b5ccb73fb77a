"""`calsync run`: poll, plan, publish, sleep — with systemd notify, signals, backoff and a degraded mode.

Whatever fails during a pass (a full or read-only disk, a damaged database, a bug) is logged once, shown by
`calsync status` and the systemd STATUS= line, and retried; the feed server keeps serving the last feed.
"""
from __future__ import annotations

import datetime as dt
import errno
import logging
import signal
import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from calsync.config import Config, load_config
from calsync.core.detect import Seen
from calsync.errors import EX_SOFTWARE, AlreadyRunning, AuthError, CalsyncError, ConfigError, SourceError, StateError, TransientError
from calsync.notify import SystemdNotifier
from calsync.runtime import Runtime, feed_path, open_runtime, open_store
from calsync.state import state_path
from calsync.statedir import StateLock
from calsync.web.board import BoardService
from calsync.web.passes import PassRequests
from calsync.web.server import FeedServer

if TYPE_CHECKING:
    from calsync.engine import PassReport

log = logging.getLogger("calsync")
MAX_BACKOFF_SECONDS = 300.0
MIN_SLEEP_SECONDS = 1.0
CARRIED_META = ("google_sink_calendar",)  # names of things outside the state directory, kept when the state is lost


def bind_feed_server(config: Config, board: BoardService | None = None) -> FeedServer:
    """Start the feed server (and the board); a port in use or an address not of this machine is one clear line."""
    from calsync.web.server import start_feed_server

    feed = config.feed
    try:
        server, _ = start_feed_server(feed.bind, feed.port, feed_path(config), state_path(config.state_dir),
                                      feed.max_connections, feed.connection_timeout, board=board)
    except OSError as exc:
        where = f"feed.bind = {feed.bind!r}, feed.port = {feed.port}"
        if exc.errno == errno.EADDRINUSE:
            raise TransientError(f"{where}: the port is already in use by another program; stop it, or set feed.port "
                                 "to a free port (0 lets the system choose)") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ConfigError([f"{where}: not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its addresses"]) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise ConfigError([f"{where}: ports below 1024 need privileges; use a port of 1024 or above"]) from None
        raise ConfigError([f"{where}: cannot listen ({exc.strerror or exc})"]) from None
    return server


class Daemon:
    """The loop; ``stop`` ends it after the current step, ``reload`` re-reads the config between passes."""

    def __init__(self, config: Config, config_path: str | None, notifier: SystemdNotifier | None = None,
                 clock: Callable[[], dt.datetime] | None = None, force: bool = False, serve: bool = True) -> None:
        self.config, self.config_path = config, config_path
        self.notifier = notifier or SystemdNotifier()
        self.clock = clock or (lambda: dt.datetime.now(self.config.plan.zone))
        self.force, self.serve = force, serve
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.reload_requested = threading.Event()
        self.server: FeedServer | None = None
        self.runtime: Runtime | None = None
        self.lock: StateLock | None = None
        self.problem: str | None = None  # what keeps passes from completing, logged once
        self.token: str | None = None  # the feed token subscribers use, kept if the state directory goes
        self.carried: dict[str, str] | None = None  # what outlives a deleted state, until it is opened again
        self.passes = PassRequests(self.wake)  # the board asks for a pass at once

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()

    def reload(self) -> None:
        self.reload_requested.set()
        self.wake.set()

    # -- state: opened at start, dropped after a state error, opened again on the next try
    def _open_state(self) -> None:
        """Open the state; after it was deleted or replaced, what must outlive it is put back first."""
        store, carried = open_store(self.config), self.carried
        try:
            for key, value in (carried or {}).items():
                store.set_meta(key, value)
            runtime = open_runtime(self.config, store)
            if self.serve:
                from calsync.web.token import FeedToken

                tokens = FeedToken(store, self.config.state_dir)
                if carried is not None and self.token:
                    tokens.restore(self.token)
                else:
                    self.token = tokens.ensure() or self.token
            if self.server is not None:
                store.set_meta("feed_bound", f"{self.config.feed.bind}:{self.server.port}")
        except BaseException:
            store.close()
            raise
        self.runtime, self.carried = runtime, None

    def _state_moved(self) -> bool:
        """True when the state directory or database was deleted or replaced since opened; then it is taken again
        and opened afresh from what is there now (nothing, or a restored backup), keeping the feed token."""
        lock_lost = self.lock is None or self.lock.lost()
        how = self.runtime.store.moved() if self.runtime is not None else None
        if not (lock_lost or how):
            return False
        if self.lock is not None and lock_lost:
            what = f"the state directory {self.config.state_dir} was removed or replaced"
        else:
            what = f"{state_path(self.config.state_dir)} was {how}"
        if self.runtime is not None:
            self.carried = self.carried or {}
            for key in CARRIED_META:
                try:
                    self.carried.update({key: value} if (value := self.runtime.store.get_meta(key)) else {})
                except StateError:
                    pass
            self.runtime.store.close_moved()
            self.runtime = None
            if self.server is not None:  # nothing in this process may keep the old file open with the new one
                self.server.calsync_app.check.close()
        if self.lock is not None:
            log.warning("%s while calsync ran; starting again from what is there now: the feed URL stays the same, and "
                        "follow-ups already published are recognised by their IDs, not written twice", what)
        if lock_lost:
            if self.lock is not None:
                self.lock.release()
                self.lock = None
            self.lock = StateLock.acquire(self.config.state_dir)  # AlreadyRunning: another calsync took the new one
        if self.runtime is None:
            self._open_state()
        return True

    def _board(self) -> BoardService:
        return BoardService(lambda: self.config, lambda: self.runtime.engine.last_result if self.runtime else None,
                            self.passes, self.clock)

    def _drop_state(self) -> None:
        if self.runtime is not None:
            try:
                self.runtime.store.close()
            except sqlite3.Error:
                pass
            self.runtime = None

    def _trouble(self, exc: BaseException, delay: float) -> None:
        """Log a problem once (a bug with its traceback), and show it in STATUS= and `calsync status`."""
        line = str(exc) if isinstance(exc, CalsyncError) else f"unexpected error: {type(exc).__name__}: {exc}"
        if line != self.problem:
            log.error("%s — the feed keeps being served; retrying every %.0f s or so", line, delay,
                      exc_info=not isinstance(exc, CalsyncError))
            self.problem = line
            if self.lock is not None:
                self.lock.note(f"degraded since {self.clock():%Y-%m-%d %H:%M}: {line}")
        self.notifier.status(f"degraded: {line}")

    def _recovered(self) -> None:
        if self.problem is not None:
            log.info("back to normal (was: %s)", self.problem)
            self.problem = None

    def _retry_delay(self, failures: int) -> float:
        """Capped exponential backoff, never slower than the most frequent source."""
        shortest = min((s.interval for s in self.config.sources), default=MAX_BACKOFF_SECONDS)
        return min(MAX_BACKOFF_SECONDS, shortest, 5.0 * 2 ** (failures - 1))

    # -- reload
    def _reload(self) -> None:
        self.reload_requested.clear()
        try:
            config = load_config(self.config_path)
            self._try_config(config)
            runtime = open_runtime(config, self.runtime.store) if self.runtime is not None else None
        except Exception as exc:  # noqa: BLE001 — whatever is wrong with it, the running configuration stays
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        for warning in config.warnings:
            log.warning("%s", warning)
        if (config.feed.bind, config.feed.port) != (self.config.feed.bind, self.config.feed.port):
            log.warning("feed.bind/feed.port changed: restart calsync to move the feed server")
        self.config, self.runtime = config, runtime
        log.info("configuration reloaded")

    def _try_config(self, config: Config) -> None:
        """Plan the events in hand with the new settings: a configuration that cannot plan is refused here."""
        from calsync.planner import build_plan

        now = self.clock().astimezone(config.plan.zone)
        events = [e for p in self.runtime.engine.polled.values() for e in (p.events or ())] if self.runtime else []
        build_plan(events, config.plan, Seen(now, {}, {}))

    # -- the loop
    def run(self, once: bool = False) -> int:
        """Run until stopped (or one pass with ``once``); returns the exit code."""
        self.lock = StateLock.acquire(self.config.state_dir)
        try:
            return self._run(once)
        finally:
            if self.lock is not None:
                self.lock.release()

    def _run(self, once: bool) -> int:
        try:
            self._open_state()
        except StateError as exc:
            self._trouble(exc, self._retry_delay(1))
        if self.serve:
            self.server = bind_feed_server(self.config, self._board())
            if self.runtime is not None:
                try:
                    self.runtime.store.set_meta("feed_bound", f"{self.config.feed.bind}:{self.server.port}")
                except StateError as exc:
                    self._trouble(exc, self._retry_delay(1))
            log.info("feed server listening on %s port %d (`calsync feed-url` shows the subscription URL)",
                     self.config.feed.bind, self.server.port)
        self.notifier.ready(f"degraded: {self.problem}" if self.problem else "starting first pass")
        try:
            return self._loop(once)
        finally:
            self.notifier.stopping()
            if self.server is not None:
                self.server.shutdown()
                self.server.server_close()
            self._drop_state()

    def _loop(self, once: bool) -> int:
        failures = 0
        first = True
        auth_reported: set[str] = set()  # the sources and sinks whose login problem was logged (once each)
        exit_code = 0
        while not self.stop_event.is_set():
            if self.reload_requested.is_set():
                self._reload()
            now = self.clock()
            delay: float
            covered = self.passes.begin()
            try:
                if self._state_moved():
                    first = True  # a new database: everything read and published again (sinks recognise their own)
                elif self.runtime is None:
                    self._open_state()
                report = self.runtime.engine.tick(now, force=self.force, poll_all=first, stopping=self.stop_event.is_set)  # type: ignore[union-attr]
            except AlreadyRunning as exc:
                log.error("%s; this one stops", exc)
                return exc.exit_code
            except Exception as exc:  # noqa: BLE001 — the daemon outlives every failure; it says so and retries
                failures += 1
                delay = self._retry_delay(failures)
                self._trouble(exc, delay)
                if isinstance(exc, (StateError, sqlite3.Error)) or not isinstance(exc, CalsyncError):
                    self._drop_state()  # opened afresh on the next try: memory agrees with the database again
                if once:
                    return exc.exit_code if isinstance(exc, CalsyncError) else EX_SOFTWARE
            else:
                failures = 0
                self._recovered()
                if report.stopped:
                    break  # a stop request ended the pass between two steps; nothing was published
                for key in report.auth_errors.keys() - auth_reported:
                    log.error("%s — the feed keeps being served; `calsync status` shows this until it is fixed", report.auth_errors[key])
                auth_reported = set(report.auth_errors)
                if report.changed or first:
                    log.info("pass: %s", report.line())
                self.notifier.status(f"{now:%H:%M} {report.line()}")
                if self.lock is not None:
                    self.lock.note(f"running; last pass {now:%Y-%m-%d %H:%M}: {report.line()}")
                if once:
                    exit_code = once_exit_code(report, len(self.runtime.engine.polled))  # type: ignore[union-attr]
                delay = self.runtime.engine.next_wake(self.clock())  # type: ignore[union-attr]
                first = False
            self.passes.end(covered)
            self.notifier.watchdog()
            if once:
                break
            self._sleep(max(MIN_SLEEP_SECONDS, delay))
        return exit_code

    def _sleep(self, seconds: float) -> None:
        """Interruptible; wakes for the watchdog at half its interval."""
        step = self.notifier.watchdog_seconds / 2 if self.notifier.watchdog_seconds else seconds
        remaining = seconds
        while remaining > 0 and not self.stop_event.is_set() and not self.reload_requested.is_set() and not self.passes.pending():
            chunk = min(step, remaining)
            self.wake.clear()
            if self.stop_event.is_set() or self.reload_requested.is_set() or self.passes.pending():
                break
            self.wake.wait(chunk)
            remaining -= chunk
            if self.notifier.watchdog_seconds:
                self.notifier.watchdog()


def once_exit_code(report: PassReport, sources: int) -> int:
    """`run --once`: 77 a login failed; 66 every source failed for good; 75 something only needs a retry; else 0."""
    if report.auth_error:
        return AuthError.exit_code
    failed = set(report.failed_sources)
    if len(failed) >= sources and not failed <= set(report.transient):
        return SourceError.exit_code
    return TransientError.exit_code if report.transient else 0


def install_signal_handlers(daemon: Daemon) -> None:
    def on_stop(signum: int, frame: object) -> None:
        log.info("received %s, finishing the current step", signal.Signals(signum).name)
        daemon.stop()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, lambda signum, frame: daemon.reload())
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file-size limit surfaces as an error (degraded mode), never a kill
