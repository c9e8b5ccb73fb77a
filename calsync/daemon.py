"""`calsync run`: poll, plan, publish, sleep — with systemd notify, signals and backoff."""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable

from calsync.config import Config, load_config
from calsync.errors import AuthError, CalsyncError, ConfigError
from calsync.notify import SystemdNotifier
from calsync.runtime import Runtime, feed_path, open_runtime, open_store
from calsync.web.board import BoardService
from calsync.web.passes import PassRequests
from calsync.web.server import FeedServer
from calsync.state import state_path

log = logging.getLogger("calsync")
MAX_BACKOFF_SECONDS = 300.0
MIN_SLEEP_SECONDS = 1.0


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
        self.passes = PassRequests(self.wake)  # the board asks for a pass at once

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()

    def reload(self) -> None:
        self.reload_requested.set()
        self.wake.set()

    def _start(self) -> None:
        """Open state and bind the feed socket: what READY=1 promises."""
        store = open_store(self.config)
        self.runtime = open_runtime(self.config, store)
        if self.serve:
            from calsync.web.token import FeedToken
            from calsync.web.server import start_feed_server

            FeedToken(store, self.config.state_dir).ensure()
            feed = self.config.feed
            self.server, _ = start_feed_server(feed.bind, feed.port, feed_path(self.config), state_path(self.config.state_dir),
                                               feed.max_connections, feed.connection_timeout, board=self._board())
            store.set_meta("feed_bound", f"{feed.bind}:{self.server.port}")

    def _board(self) -> BoardService:
        return BoardService(lambda: self.config, lambda: self.runtime.engine.last_result if self.runtime else None,
                            self.passes, self.clock)

    def _reload(self) -> None:
        self.reload_requested.clear()
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        assert self.runtime is not None
        try:
            self.runtime = open_runtime(config, self.runtime.store)
        except CalsyncError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        if (config.feed.bind, config.feed.port) != (self.config.feed.bind, self.config.feed.port):
            log.warning("feed.bind/feed.port changed: restart calsync to move the feed server")
        self.config = config
        log.info("configuration reloaded")

    def run(self, once: bool = False) -> int:
        """Run until stopped (or one pass with ``once``); returns the exit code."""
        self._start()
        assert self.runtime is not None
        if self.server is not None:
            log.info("feed server listening on %s port %d (`calsync feed-url` shows the subscription URL)", self.config.feed.bind, self.server.port)
        self.notifier.ready("starting first pass")
        failures = 0
        first = True
        auth_reported = False
        exit_code = 0
        try:
            while not self.stop_event.is_set():
                if self.reload_requested.is_set():
                    self._reload()
                now = self.clock()
                delay: float
                covered = self.passes.begin()
                try:
                    report = self.runtime.engine.tick(now, force=self.force, poll_all=first, stopping=self.stop_event.is_set)
                    failures = 0
                    if report.stopped:
                        break  # a stop request ended the pass between two steps; nothing was published
                    if report.auth_error and not auth_reported:
                        log.error("%s — the feed keeps being served; `calsync status` shows this until it is fixed", report.auth_error)
                    auth_reported = bool(report.auth_error)
                    if once and report.auth_error:
                        exit_code = AuthError.exit_code
                    if report.changed or first:
                        log.info("pass: %s", report.line())
                    self.notifier.status(f"{now:%H:%M} {report.line()}")
                    delay = self.runtime.engine.next_wake(self.clock())
                except CalsyncError as exc:
                    failures += 1
                    delay = min(MAX_BACKOFF_SECONDS, 5.0 * 2 ** (failures - 1))
                    log.error("pass failed (retrying in %.0f s): %s", delay, exc)
                    self.notifier.status(f"pass failed: {exc}")
                first = False
                self.passes.end(covered)
                self.notifier.watchdog()
                if once:
                    break
                self._sleep(max(MIN_SLEEP_SECONDS, delay))
        finally:
            self.notifier.stopping()
            if self.server is not None:
                self.server.shutdown()
                self.server.server_close()
            self.runtime.store.close()
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


def install_signal_handlers(daemon: Daemon) -> None:
    def on_stop(signum: int, frame: object) -> None:
        log.info("received %s, finishing the current step", signal.Signals(signum).name)
        daemon.stop()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, lambda signum, frame: daemon.reload())
