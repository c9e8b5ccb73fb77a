"""HTTP status -> exception, in exactly one place; retries for idempotent requests only."""
from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from calsync.errors import AuthError, CalsyncError, TransientError

log = logging.getLogger("calsync")
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
REAUTHORIZE = "run `calsync auth google --client-secrets FILE`"
MAX_BACKOFF = 60.0


class FullSyncRequired(CalsyncError):
    """410 on a list with a sync token: start over with a full list."""


class ItemError(CalsyncError):
    """A 4xx for one item: skip it and report; others go on."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        self.status, self.reason = status, reason
        super().__init__(f"HTTP {status} {reason}: {message}")


def reason_of(content: bytes | str | None) -> tuple[str, str]:
    try:
        data = json.loads(content or b"{}")
        err = data.get("error", {})
        if isinstance(err, str):  # OAuth endpoint style
            return err, str(data.get("error_description", ""))
        first = (err.get("errors") or [{}])[0]
        return str(first.get("reason", "")), str(err.get("message", ""))
    except (ValueError, AttributeError):
        return "", ""


def classify_status(status: int, reason: str, message: str) -> CalsyncError:
    if status == 401 or reason == "invalid_grant":
        return AuthError(f"Google refused the authorization ({reason or status}); {REAUTHORIZE}")
    if status == 403 and reason in SCOPE_REASONS:
        return AuthError(f"Google authorization lacks a scope this call needs ({message or reason}); {REAUTHORIZE} and allow every scope")
    if status == 410 and reason in ("fullSyncRequired", "updatedMinTooLongAgo", ""):
        return FullSyncRequired("the sync token expired; a full re-list follows")
    if status == 429 or status >= 500 or (status == 403 and reason in RATE_REASONS):
        return TransientError(f"Google Calendar is busy (HTTP {status} {reason}); retrying later")
    return ItemError(status, reason, message)


def classify(exc: BaseException) -> CalsyncError:
    """Every exception a Google call can raise, as one of calsync's."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    if isinstance(exc, CalsyncError):
        return exc
    if isinstance(exc, HttpError):
        reason, message = reason_of(exc.content)
        return classify_status(int(exc.resp.status), reason, message)
    if isinstance(exc, RefreshError):
        if _token_endpoint_busy(exc):  # 5xx, 429, a gateway's HTML page: not the user's problem
            return TransientError(f"Google's token endpoint is busy or unreachable ({_token_reason(exc)}); retrying later")
        return AuthError(f"Google authorization was revoked or has expired; {REAUTHORIZE}")
    if isinstance(exc, (TransportError, socket.timeout, TimeoutError, ConnectionError, OSError)):
        return TransientError(f"cannot reach Google Calendar ({exc or type(exc).__name__}); retrying later")
    import httplib2

    if isinstance(exc, httplib2.HttpLib2Error):
        return TransientError(f"cannot reach Google Calendar ({exc}); retrying later")
    raise exc


# The token endpoint's answers that mean the grant itself is bad (RFC 6749 5.2): only these need `calsync auth`.
GRANT_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope", "access_denied",
                "unsupported_grant_type", "invalid_request"}


def _token_endpoint_busy(exc: BaseException) -> bool:
    """A RefreshError from an answer that is not an OAuth refusal (google-auth retries only 500/503/504/408/429)."""
    if getattr(exc, "retryable", False):
        return True
    if len(exc.args) < 2:  # raised before any request: no refresh token in the file
        return False
    answer = exc.args[1]
    return not (isinstance(answer, dict) and str(answer.get("error", "")) in GRANT_ERRORS)


def _token_reason(exc: BaseException) -> str:
    answer = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(answer, dict):
        return str(answer.get("error", "")) or "no reason given"
    return str(answer or exc)[:80].replace("\n", " ")


def backoff(attempt: int, base: float) -> float:
    return min(MAX_BACKOFF, base * 2 ** attempt)


def execute(request: Any, *, idempotent: bool, retries: int = 4, base_delay: float = 1.0,
            sleep: Callable[[float], None] = time.sleep) -> Any:
    """Run one googleapiclient request; transient failures of idempotent requests are retried."""
    attempt = 0
    while True:
        try:
            return request.execute(num_retries=0)
        except Exception as exc:  # mapped right here, nowhere else
            mapped = classify(exc)
            if isinstance(mapped, TransientError) and idempotent and attempt < retries:
                delay = backoff(attempt, base_delay)
                log.debug("Google call failed (%s); retry %d in %.2f s", mapped, attempt + 1, delay)
                sleep(delay)
                attempt += 1
                continue
            raise mapped from None
