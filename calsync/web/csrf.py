"""Cross-site request forgery: a fresh signed token in every page, and a same-origin check on every POST.

Tokens are ``expiry.nonce.mac`` signed with a per-process secret, so any page the server issued in the
last hours is accepted and none can be forged; a restart simply asks for a reload.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

TOKEN_LIFETIME = 12 * 3600


class CsrfTokens:
    def __init__(self, secret: bytes | None = None, clock: Any = time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def _mac(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        body = f"{int(self._clock()) + TOKEN_LIFETIME}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._mac(body)}"

    def valid(self, token: str) -> bool:
        body, _, mac = token.rpartition(".")
        expiry = body.split(".", 1)[0]
        if not body or not expiry.isdigit() or not hmac.compare_digest(self._mac(body), mac.encode("ascii", "replace").decode()):
            return False
        return int(expiry) >= self._clock()


def _origin_of(url: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of a URL, lower-case; None when it has none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower().rsplit("@", 1)[-1]


def same_origin(environ: dict[str, Any], public_url: str = "") -> bool:
    """The POST comes from a page of this server (the Host it was sent to, or ``feed.public_url``).

    Browsers send ``Sec-Fetch-Site``; with ``Referrer-Policy: no-referrer`` a plain form's ``Origin`` is
    ``null`` and there is no ``Referer``, so those are checked only when they name an origin. A request
    that names another origin anywhere is refused.
    """
    host = environ.get("HTTP_HOST", "").lower()
    allowed_hosts = {host} if host else set()
    public = _origin_of(public_url) if public_url else None
    if public:
        allowed_hosts.add(public[1])
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site.lower() != "same-origin":
        return False
    named = False
    for header in ("HTTP_ORIGIN", "HTTP_REFERER"):
        value = environ.get(header)
        if value is None or value == "null":
            continue
        origin = _origin_of(value)
        if origin is None or origin[1] not in allowed_hosts:
            return False
        named = True
    return named or site is not None or environ.get("HTTP_ORIGIN") == "null"
