"""Bounded HTTP(S) GET for calendar URLs: conditional, size- and time-limited, redirects capped."""
from __future__ import annotations

import base64
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from calsync.errors import SourceError

USER_AGENT = "calsync (+https://github.com/calsync/calsync)"


def redact_url(url: str) -> str:
    """The URL without credentials or query string, safe to log."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


@dataclass(frozen=True)
class Validators:
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class FetchResult:
    body: bytes | None  # None: 304 Not Modified
    validators: Validators


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.max_redirections = limit

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise SourceError(f"{redact_url(req.full_url)}: redirected to a non-HTTP address; refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(
    url: str,
    validators: Validators = Validators(),
    *,
    max_bytes: int,
    connect_timeout: float,
    total_timeout: float,
    max_redirects: int,
) -> FetchResult:
    """GET ``url``; raises SourceError with a redacted URL on any failure."""
    shown = redact_url(url)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise SourceError(f"{shown}: only http:// and https:// URLs are supported")
    clean = urllib.parse.urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "", parts.path, parts.query, ""))
    request = urllib.request.Request(clean, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"})
    if parts.username:
        token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    if validators.etag:
        request.add_header("If-None-Match", validators.etag)
    if validators.last_modified:
        request.add_header("If-Modified-Since", validators.last_modified)
    opener = urllib.request.build_opener(_Redirects(max_redirects))
    deadline = time.monotonic() + total_timeout
    try:
        with opener.open(request, timeout=connect_timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise SourceError(f"{shown}: download took longer than {total_timeout:g} s; try again later or raise limits.total_timeout")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(f"{shown}: response is larger than {max_bytes} bytes (limits.max_bytes)")
                chunks.append(chunk)
            headers = response.headers
            return FetchResult(b"".join(chunks), Validators(headers.get("ETag", ""), headers.get("Last-Modified", "")))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(None, validators)
        raise SourceError(f"{shown}: the server answered HTTP {exc.code} {exc.reason}; check the URL") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, SourceError):
            raise reason from None
        raise SourceError(f"{shown}: unreachable ({reason}); check the URL and the network") from None
    except (TimeoutError, OSError) as exc:
        raise SourceError(f"{shown}: unreachable ({exc or type(exc).__name__}); check the URL and the network") from None
