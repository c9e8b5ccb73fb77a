"""The HTTP server: waitress (a maintained WSGI server) with a whole-request deadline and eviction at the limit.

waitress reads requests on one asyncore thread and hands only complete ones to a small thread pool, so
a slow client never holds a worker. On top of it calsync adds what waitress leaves open:

- a deadline for receiving each whole request (first byte to last), not only an idle timeout, so a
  client dribbling one header byte every few seconds is cut off;
- a cap on each whole exchange (request plus response) for clients that read the answer too slowly;
- at the connection limit, the connection that has waited longest for its request is closed to make
  room, so slow clients cannot lock out others (waitress alone stops accepting);
- a listen backlog of 128;
- the feed, when memory holds the whole answer (token hash, this version of the file, its gzip form), is answered
  on the loop thread the moment its request is parsed: no worker thread, no wake-up, no WSGI environ. A calendar
  app polling with a validator gets its 304 that way. Everything else (the board, errors, a changed feed) goes
  through the WSGI app on a worker as before.
"""
from __future__ import annotations

import io
import logging
import math
import sys
import threading
import time
from pathlib import Path
from typing import Any

from waitress.adjustments import Adjustments
from waitress.buffers import OverflowableBuffer, ReadOnlyFileBasedBuffer
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import WSGITask
from waitress.utilities import build_http_date

from calsync.web.app import REASONS, Board, CalsyncApp, FeedSnapshot
from calsync.web.feedfile import FEED_NAME, FeedFile, TokenCheck

log = logging.getLogger("calsync")
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under a burst is expected, not news
BACKLOG = 128
WORKER_THREADS = 4
EXCHANGE_FACTOR = 6  # a whole exchange may take this many request deadlines (large feeds to slow phones)
# How long a thread holding the GIL keeps it once another asks (CPython's default is 5 ms). In `calsync run` a
# planning pass holds the GIL while the loop thread waits for it at every poll, recv and send, so a 304 took up
# to 200 ms during a pass; at 0.5 ms it is a few ms. Only a waiting thread triggers a switch: an idle server
# (blocked in poll, GIL released) costs the pass nothing.
GIL_SWITCH_INTERVAL = 0.0005

__all__ = ["FEED_NAME", "FeedServer", "start_feed_server"]


class _Task(WSGITask):  # type: ignore[misc]
    """waitress closes the connection after any response without Content-Length, 304 included (a 304
    must not carry the 200's length of 0); a 304 needs no length, so keep-alive survives it."""

    def build_response_header(self) -> bytes:
        keep = not self.close_on_finish and self.version == "1.1" and self.status.startswith("304") \
            and self.request.headers.get("CONNECTION", "").lower() != "close"
        header: bytes = super().build_response_header()
        if keep and self.close_on_finish:
            self.close_on_finish = False
            header = header.replace(b"\r\nConnection: close\r\n", b"\r\n")
        return header


class _Channel(HTTPChannel):
    """Remembers when the request now being received started, and when the whole exchange started."""

    task_class = _Task
    request_started: float | None = None
    exchange_started: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.creation_monotonic = time.monotonic()
        super().__init__(*args, **kwargs)

    def received(self, data: bytes) -> bool:
        now = time.monotonic()
        if data and self.request is None:
            self.request_started = now
            if not self.requests and not self.total_outbufs_len:
                self.exchange_started = now
        result = super().received(data)
        if self.request is None:
            self.request_started = None
        return bool(result)

    def waiting_since(self) -> float:
        """When this connection began waiting for a request: accepted, or its last byte of input."""
        return self.request_started if self.request_started is not None else self.creation_monotonic

    def idle(self) -> bool:
        return not self.requests and not self.total_outbufs_len and not self.will_close

    def may_answer_inline(self) -> bool:
        """Whether the first queued request could be answered from memory: a keep-alive HTTP/1.1 GET or HEAD."""
        request = self.requests[0]
        return not request.error and request.version == "1.1" and request.command in ("GET", "HEAD") \
            and request.headers.get("CONNECTION", "").lower() != "close"

    def answer_inline(self, snapshot: FeedSnapshot) -> bool:
        """Answers the first queued request from ``snapshot`` if it is a feed request that memory can answer and
        nothing is waiting to be sent before it (then nothing can block). Runs on the loop thread, holding
        ``requests_lock``. False: the request goes to a worker as usual."""
        request = self.requests[0]
        if not self.connected or self.total_outbufs_len:
            return False
        headers = request.headers
        try:
            response = self.server.calsync_app.quick_feed(snapshot, request.command, request.path,
                                                          headers.get("ACCEPT_ENCODING", ""), headers.get("IF_NONE_MATCH"),
                                                          headers.get("IF_MODIFIED_SINCE"))
        except Exception:  # noqa: BLE001 - the worker path answers it again, and reports what goes wrong there
            return False
        if response is None:
            return False
        lines = [f"HTTP/1.1 {response.status} {REASONS[response.status]}"]
        lines.extend(f"{name}: {value}" for name, value in response.headers)
        if response.status != 304:
            lines.append(f"Content-Length: {len(response.body)}")
        lines += [f"Date: {_http_date()}", "Server: calsync", "", ""]
        head = "\r\n".join(lines).encode("latin-1")
        body = response.body if request.command == "GET" else b""
        with self.outbuf_lock:
            self.outbufs[-1].append(head)
            if body:
                buffer = ReadOnlyFileBasedBuffer(io.BytesIO(body))  # shares the bytes: no copy, no temp file
                buffer.prepare()
                self.outbufs += [buffer, OverflowableBuffer(self.adj.outbuf_overflow)]
            self.current_outbuf_count = self.adj.outbuf_high_watermark  # the next response starts a new buffer
            self.total_outbufs_len += len(head) + len(body)
            self._flush_exception(self._flush_some)
        self.requests.pop(0)
        request.close()
        return True


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, build_http_date(now))
    return _date_cache[1]


class FeedServer(TcpWSGIServer):  # type: ignore[misc]
    """One listening socket on ``bind:port``; ``port`` is the bound one (useful with port 0)."""

    channel_class = _Channel

    def __init__(self, app: Any, bind: str, port: int, max_connections: int, timeout: float) -> None:
        self.deadline = timeout
        self._stopping = threading.Event()
        self._loop_thread: int | None = None
        self._inline: list[_Channel] = []  # channels whose complete request waits for the end of this poll round
        adj = Adjustments(host=bind, port=port, threads=WORKER_THREADS, backlog=BACKLOG,
                          connection_limit=max_connections + 2,  # the map also holds the listener and a trigger
                          channel_timeout=max(1, math.ceil(timeout)), cleanup_interval=1,  # whole seconds in waitress
                          asyncore_loop_timeout=1, asyncore_use_poll=True, ident="calsync",
                          expose_tracebacks=False, log_socket_errors=False)
        self.calsync_app = app
        super().__init__(app, adj=adj)

    @property
    def port(self) -> int:
        return int(self.effective_port)

    def add_task(self, channel: _Channel) -> None:
        """A complete request: a feed GET/HEAD read by the loop thread waits for the end of this poll round (see
        ``answer_from_memory``); anything else is queued for a worker."""
        if threading.get_ident() == self._loop_thread and channel.may_answer_inline():
            self._inline.append(channel)  # its requests list is not empty, so nothing more is read from it meanwhile
        else:
            super().add_task(channel)

    def answer_from_memory(self) -> None:
        """After a poll round: one look at the token hash and the feed file (one ``data_version``, one ``stat``)
        for every feed request that round read. Each was read before that look, so a feed written or a token
        rotated before the client sent is always seen. What memory cannot answer goes to a worker, as do requests
        pipelined behind an answered one."""
        batch, self._inline = self._inline, []
        try:
            snapshot = self.calsync_app.quick_snapshot()
        except Exception:  # noqa: BLE001 - the workers answer, and report what goes wrong there
            snapshot = None
        for channel in batch:
            with channel.requests_lock:
                if not channel.requests:
                    continue  # closed meanwhile
                if snapshot is None or not channel.answer_inline(snapshot) or channel.requests:
                    super().add_task(channel)

    # -- deadlines and eviction, all on the loop thread
    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # waitress: idle connections past channel_timeout (whole seconds)
        mono = time.monotonic()
        for channel in list(self.active_channels.values()):
            if channel.idle() and channel.request_started is None and now - channel.last_activity > self.deadline:
                channel.will_close = True  # nothing asked for that long: idle keep-alive or a silent client
            receiving = channel.request_started is not None and not channel.requests
            too_slow = receiving and mono - channel.request_started > self.deadline
            started = channel.exchange_started
            too_long = started is not None and mono - started > self.deadline * EXCHANGE_FACTOR and not channel.requests
            if too_slow or too_long:
                channel.will_close = True

    def readable(self) -> bool:
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting:
            return False
        # At the limit, keep accepting only while a connection that waits for its request can make room.
        return len(self._map) < self.adj.connection_limit or any(c.idle() for c in self.active_channels.values())

    def handle_accept(self) -> None:
        if len(self._map) >= self.adj.connection_limit:
            self._evict_one()
        super().handle_accept()

    def _evict_one(self) -> None:
        waiting = [c for c in self.active_channels.values() if c.idle()]
        if waiting:
            victim = min(waiting, key=lambda c: c.waiting_since())
            victim.handle_close()

    # -- lifecycle
    def serve_until_stopped(self) -> None:
        from waitress import wasyncore

        self._loop_thread = threading.get_ident()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=self.adj.asyncore_loop_timeout, map=self._map, use_poll=True, count=1)
                if self._inline:
                    self.answer_from_memory()
        finally:
            for channel in list(self.active_channels.values()):
                channel.handle_close()
            self.task_dispatcher.shutdown(timeout=2)
            self.close()
            self.calsync_app.close()

    def shutdown(self) -> None:
        """Stop the loop (from any thread) and wait for it to close every connection."""
        self._stopping.set()
        try:
            self.pull_trigger()
        except OSError:
            pass
        thread = getattr(self, "thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def server_close(self) -> None:
        """Kept for the callers written for http.server; ``shutdown`` already closed everything."""


def start_feed_server(bind: str, port: int, feed_path: Path, db_path: Path, max_connections: int, timeout: float,
                      poll_interval: float = 0.5, board: Board | None = None) -> tuple[FeedServer, threading.Thread]:
    """Serve the feed (and the board, when given) in a thread; ``shutdown`` stops it within a second."""
    del poll_interval  # the loop wakes at once on shutdown; kept for callers
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
    app = CalsyncApp(FeedFile(feed_path), TokenCheck(db_path), board)
    server = FeedServer(app, bind, port, max_connections, timeout)
    thread = threading.Thread(target=server.serve_until_stopped, name="feed-server", daemon=True)
    server.thread = thread
    thread.start()
    return server, thread
