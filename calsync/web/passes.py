"""Passes on demand: the board asks the daemon for a pass now and waits until one has covered its request."""
from __future__ import annotations

import threading


class PassRequests:
    """A ticket counter shared by the board (``request``/``wait``) and the daemon loop (``begin``/``end``)."""

    def __init__(self, wake: threading.Event) -> None:
        self._wake = wake
        self._cond = threading.Condition()
        self._requested = 0
        self._done = 0

    def request(self) -> int:
        """Ask for a pass; returns the ticket to ``wait`` on."""
        with self._cond:
            self._requested += 1
            ticket = self._requested
        self._wake.set()
        return ticket

    def pending(self) -> bool:
        """True while a request has not been covered by a pass: the daemon's sleep ends early."""
        with self._cond:
            return self._done < self._requested

    def begin(self) -> int:
        """Called by the daemon just before a pass: the requests made so far are the ones it covers."""
        with self._cond:
            return self._requested

    def end(self, covered: int) -> None:
        with self._cond:
            self._done = max(self._done, covered)
            self._cond.notify_all()

    def wait(self, ticket: int, timeout: float) -> bool:
        """True once a pass that began after ``ticket`` was requested has finished."""
        with self._cond:
            return self._cond.wait_for(lambda: self._done >= ticket, timeout)
