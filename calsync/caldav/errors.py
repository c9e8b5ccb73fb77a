"""HTTP status -> exception, in exactly one place; retries with capped backoff for transient failures."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from calsync.errors import AuthError, CalsyncError, TransientError

log = logging.getLogger("calsync")
MAX_BACKOFF = 60.0
T = TypeVar("T")


class ItemError(CalsyncError):
    """A 4xx for one resource: skip it and report; the others go on."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class TimedOut(TransientError):
    """No complete answer within the whole-request deadline: tried again on a later pass, not at once."""


class StorageFull(CalsyncError):
    """HTTP 507: the account is out of quota; calsync runs degraded until it has room."""


def classify_status(status: int, account: str, what: str) -> CalsyncError:
    """One HTTP status of a CalDAV request as one of calsync's errors."""
    if status in (401, 403):
        return AuthError(f"CalDAV {account} refused the login (HTTP {status}) while {what}; "
                         "check the username and the (app-specific) password in its password_file")
    if status == 507:
        return StorageFull(f"CalDAV {account} is out of storage (HTTP 507) while {what}; free space or raise the quota — "
                           "calsync keeps serving the feed and writes again once there is room")
    if status == 429 or status >= 500:
        return TransientError(f"CalDAV {account} is busy or failing (HTTP {status}) while {what}; retrying later")
    return ItemError(status, f"CalDAV {account} answered HTTP {status} while {what}")


def classify(exc: BaseException, account: str, what: str) -> CalsyncError:
    """Every exception a request can raise, as one of calsync's."""
    if isinstance(exc, CalsyncError):
        return exc
    if isinstance(exc, (TimeoutError, ConnectionError, OSError)):
        return TransientError(f"cannot reach CalDAV {account} while {what} ({type(exc).__name__}); retrying later")
    raise exc


def backoff(attempt: int, base: float) -> float:
    return min(MAX_BACKOFF, base * 2 ** attempt)


def with_retries(call: Callable[[], T], account: str, what: str, *, retries: int = 3, base_delay: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Run one request; transient failures are retried with capped exponential backoff.

    Every request calsync makes is safe to repeat: reads, and writes made conditional by If-Match or If-None-Match.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:  # mapped right here, nowhere else
            mapped = classify(exc, account, what)
            if isinstance(mapped, TransientError) and not isinstance(mapped, TimedOut) and attempt < retries:
                delay = backoff(attempt, base_delay)
                log.debug("%s; retry %d in %.2f s", mapped, attempt + 1, delay)
                sleep(delay)
                attempt += 1
                continue
            raise mapped from None
