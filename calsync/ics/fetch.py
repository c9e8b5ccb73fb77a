"""Bounded HTTP(S) GET for calendar URLs: one deadline, bounded size, redirects that cannot leak or pivot.

- One deadline covers name lookup, connect, TLS, headers and body: every socket operation waits
  at most for what is left of ``total_timeout``.
- Credentials from the configured URL go only to its own scheme, host and port.
- https never redirects to http; only http(s) targets are followed.
- Loopback, link-local and private addresses are reached only when the configured URL is one.
- ``http_proxy``, ``https_proxy``, ``no_proxy`` are honoured (https through CONNECT); the rules above judge the
  target URL by what this machine resolves it to (a name only the proxy resolves is the proxy's to judge).
"""
from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from calsync.errors import SourceError
from calsync.ics.address_policy import Address, AddressPolicy, TargetRefused
from calsync.ics.proxy import Proxy, proxy_for, tunnel
from calsync.ics.proxy import basic_auth as _basic_auth
from calsync.ics.redaction import normalize_url, redact_url, strip_escapes

__all__ = ["FetchResult", "FetchTimeout", "HttpAnswer", "Unreachable", "Validators", "fetch_url", "http_request",
           "normalize_url", "redact_url"]

USER_AGENT = "calsync (+https://github.com/calsync/calsync)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 65536
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"  # reserved characters and existing %-escapes stay as they are


@dataclass(frozen=True)
class Validators:
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class FetchResult:
    body: bytes | None  # None: 304 Not Modified
    validators: Validators


class FetchTimeout(SourceError):
    """The whole-request deadline passed (a slow or dribbling server): worth trying again later."""


class Unreachable(SourceError):
    """No connection: the name does not resolve, or nothing answers there."""


class _Deadline:
    def __init__(self, seconds: float, shown: str) -> None:
        self.seconds, self.shown = seconds, shown
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> SourceError:
        return FetchTimeout(f"{self.shown}: no complete answer within {self.seconds:g} s (limits.total_timeout); "
                           "try again later or raise the limit")


class _DeadlineSocket:
    """A connected socket whose every send and receive waits at most until the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock, self._deadline = sock, deadline
        self._readers, self._closed = 0, False

    def _arm(self) -> None:
        self._sock.settimeout(self._deadline.remaining())

    def recv_into(self, buffer: memoryview, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        self._readers += 1  # like socket.socket: the socket closes when its last reader does
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:  # called by SocketIO.close
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self._sock.close()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent

    @classmethod
    def parse(cls, url: str, shown: str) -> _Target:
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:
            raise SourceError(f"{shown}: not a valid URL; check it") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise SourceError(f"{shown}: only http://, https:// and webcal:// URLs are supported")
        if not parts.hostname:
            raise SourceError(f"{shown}: the URL names no host; check it")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path = urllib.parse.quote(path, safe=_URL_SAFE)  # spaces, controls and non-ASCII percent-encoded
        return cls(scheme, parts.hostname, port or (443 if scheme == "https" else 80), path)

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host.lower(), self.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def _resolve(host: str, port: int, deadline: _Deadline) -> list[Address]:
    """getaddrinfo within the deadline (it has no timeout of its own; a late answer is left to its thread)."""
    try:  # an address literal needs no lookup
        literal = ipaddress.ip_address(host)
        return [(socket.AF_INET6 if literal.version == 6 else socket.AF_INET, (host, port))]
    except ValueError:
        pass
    found: list[object] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            found.append(exc)

    worker = threading.Thread(target=lookup, name="calsync-dns", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if not found:
        raise deadline.expired()
    result = found[0]
    if isinstance(result, OSError):
        raise Unreachable(f"{deadline.shown}: the host name does not resolve ({strip_escapes(str(result))}); check the URL and the network")
    return [(family, sockaddr[:2]) for family, _, _, _, sockaddr in result]  # type: ignore[union-attr]


class _Connection(http.client.HTTPConnection):
    """http.client over a socket this module connected (policy-checked, deadline-bound, TLS-wrapped)."""

    def __init__(self, target: _Target, sock: _DeadlineSocket) -> None:
        super().__init__(target.host, target.port)
        self.default_port = 443 if target.scheme == "https" else 80  # the Host header omits the default port
        self.sock = sock  # type: ignore[assignment]

    def connect(self) -> None:  # already connected
        pass


def _open(addresses: list[Address], deadline: _Deadline, connect_timeout: float) -> socket.socket:
    """A TCP connection to the first address that answers; OSError from the last one when none does."""
    last: OSError = OSError("no address")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(connect_timeout, deadline.remaining()))
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
            deadline.remaining()
    raise last


def _secure(sock: socket.socket, target: _Target, deadline: _Deadline) -> _DeadlineSocket:
    """TLS for an https target (the whole handshake within the deadline); the socket as it is for http."""
    if target.scheme == "https":
        try:
            sock.settimeout(deadline.remaining())
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        except ssl.SSLError as exc:
            sock.close()
            raise SourceError(f"{deadline.shown}: TLS failed ({exc.reason or exc}); check the URL's certificate") from None
        except BaseException:
            sock.close()
            raise
    return _DeadlineSocket(sock, deadline)


def _connect(target: _Target, addresses: list[Address], deadline: _Deadline, connect_timeout: float) -> _DeadlineSocket:
    try:
        sock = _open(addresses, deadline, connect_timeout)
    except OSError as exc:
        raise Unreachable(f"{deadline.shown}: unreachable ({strip_escapes(str(exc))}); check the URL and the network") from None
    return _secure(sock, target, deadline)


def _through_proxy(target: _Target, proxy: Proxy, deadline: _Deadline, connect_timeout: float) -> _DeadlineSocket:
    """A connection to the proxy; for https, a CONNECT tunnel to the target with TLS inside it."""
    try:
        sock = _open(_resolve(proxy.host, proxy.port, deadline), deadline, connect_timeout)
    except OSError as exc:
        raise Unreachable(f"{deadline.shown}: the proxy in {proxy.shown} is unreachable ({strip_escapes(str(exc))}); "
                          "check it, or set no_proxy") from None
    if target.scheme == "https":
        tunnel(sock, target.host, target.port, proxy, deadline.remaining, deadline.shown, USER_AGENT)
    return _secure(sock, target, deadline)


def _addresses(target: _Target, proxy: Proxy | None, deadline: _Deadline, connect_timeout: float) -> list[Address]:
    """The target's addresses. Through a proxy they serve the address policy alone, and there are none when
    only the proxy can resolve the name (or this machine cannot within ``connect_timeout``)."""
    if proxy is None:
        return _resolve(target.host, target.port, deadline)
    try:
        return _resolve(target.host, target.port, _Deadline(min(connect_timeout, deadline.remaining()), deadline.shown))
    except SourceError:
        deadline.remaining()  # the whole request's deadline still rules
        return []


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes  # empty when ``read_body`` declined it


def http_request(
    url: str,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    max_bytes: int,
    connect_timeout: float,
    total_timeout: float,
    max_redirects: int,
    authorization: str = "",
    configured: str = "",
    shown: str = "",
    read_body: Callable[[int], bool] = lambda status: True,
) -> HttpAnswer:
    """One request within ``total_timeout``, redirects followed under the module's rules; SourceError on any failure.

    ``authorization`` goes only to ``url``'s own origin. ``configured`` (default ``url``) is the URL the user
    configured: its addresses decide which internal ranges may be reached, also by an ``url`` a server named.
    """
    shown = shown or redact_url(url)
    deadline = _Deadline(total_timeout, shown)
    target = _Target.parse(url, shown)
    origin = target.origin
    policy: AddressPolicy | None = None
    try:
        trusted = _Target.parse(configured, shown) if configured else None
        if trusted is not None and trusted.origin != origin:
            policy = AddressPolicy.of(_addresses(trusted, proxy_for(trusted.scheme, trusted.host, shown), deadline, connect_timeout))
        for _ in range(max_redirects + 1):
            proxy = proxy_for(target.scheme, target.host, shown)
            addresses = _addresses(target, proxy, deadline, connect_timeout)
            if policy is None:  # the configured URL's own addresses decide which internal ranges are fine
                policy = AddressPolicy.of(addresses)
            permitted = policy.permitted(addresses)
            sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **(headers or {})}
            if authorization and target.origin == origin:
                sent["Authorization"] = authorization
            request_target = target.path
            if proxy is None:
                connection = _Connection(target, _connect(target, permitted, deadline, connect_timeout))
            else:
                connection = _Connection(target, _through_proxy(target, proxy, deadline, connect_timeout))
                if target.scheme == "http":  # asking the proxy itself: the absolute form, and the proxy's credentials
                    request_target = target.url
                    if proxy.authorization:
                        sent["Proxy-Authorization"] = proxy.authorization
            response: http.client.HTTPResponse | None = None
            try:
                connection.request(method, request_target, body=body or None, headers=sent)
                response = connection.getresponse()
                if response.status in _REDIRECTS:
                    target = _follow(target, response.getheader("Location"), shown)
                    if response.status == 303 and method != "HEAD":
                        method, body = "GET", b""
                    continue
                data = _read_body(response, max_bytes, shown) if read_body(response.status) else b""
                return HttpAnswer(response.status, strip_escapes(response.reason or "")[:80], response.msg, data)
            finally:
                if response is not None:
                    response.close()
                connection.close()
        raise SourceError(f"{shown}: more than {max_redirects} redirects (limits.max_redirects); check the URL")
    except TargetRefused as exc:
        raise SourceError(f"{shown}: {exc}") from None
    except (TimeoutError, socket.timeout):
        raise deadline.expired() from None
    except (ValueError, UnicodeError):  # http.client.InvalidURL, a header it cannot encode
        raise SourceError(f"{shown}: the server's answer or redirect holds an invalid address; check the URL") from None
    except http.client.HTTPException as exc:
        raise SourceError(f"{shown}: not a valid HTTP answer ({type(exc).__name__}); check the URL") from None
    except SourceError:
        raise
    except OSError as exc:
        if time.monotonic() >= deadline.at:
            raise deadline.expired() from None
        raise Unreachable(f"{shown}: unreachable ({strip_escapes(exc.strerror or str(exc))}); check the URL and the network") from None


def fetch_url(
    url: str,
    validators: Validators = Validators(),
    *,
    max_bytes: int,
    connect_timeout: float,
    total_timeout: float,
    max_redirects: int,
) -> FetchResult:
    """GET ``url`` within ``total_timeout``; raises SourceError naming the redacted URL on any failure."""
    url = normalize_url(url)
    shown = redact_url(url)
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    answer = http_request(url, "GET", headers=headers, max_bytes=max_bytes, connect_timeout=connect_timeout,
                          total_timeout=total_timeout, max_redirects=max_redirects, authorization=_basic_auth(url),
                          shown=shown, read_body=lambda status: 200 <= status < 300)
    if answer.status == 304:
        return FetchResult(None, validators)
    if not 200 <= answer.status < 300:
        raise SourceError(f"{shown}: the server answered HTTP {answer.status} {answer.reason}; check the URL")
    return FetchResult(answer.body, Validators(answer.headers.get("ETag", ""), answer.headers.get("Last-Modified", "")))


def _follow(current: _Target, location: str | None, shown: str) -> _Target:
    """The redirect's target, or SourceError when it may not be followed."""
    if not location:
        raise SourceError(f"{shown}: redirected without a Location; check the URL")
    joined = urllib.parse.urljoin(current.url, location.strip())
    where = redact_url(joined)
    scheme = urllib.parse.urlsplit(joined).scheme.lower()
    if scheme not in ("http", "https"):
        raise SourceError(f"{shown}: redirected to a non-HTTP address ({where}); not allowed")
    if current.scheme == "https" and scheme == "http":
        raise SourceError(f"{shown}: redirected from https to plain http ({where}); refused — use the https address")
    return _Target.parse(joined, shown)


def _read_body(response: http.client.HTTPResponse, max_bytes: int, shown: str) -> bytes:
    """The body, gunzipped if the server compressed it; ``max_bytes`` bounds what is sent and what it inflates to."""
    too_big = SourceError(f"{shown}: response is larger than {max_bytes} bytes (limits.max_bytes)")
    if response.length is not None and response.length > max_bytes:
        raise too_big
    gzipped = (response.getheader("Content-Encoding") or "").strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    chunks: list[bytes] = []
    received = size = 0
    try:
        while True:
            chunk = response.read(min(_CHUNK, max_bytes + 1 - received))
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise too_big
            if inflate is not None:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
                if inflate.unconsumed_tail:
                    raise too_big
            size += len(chunk)
            if size > max_bytes:
                raise too_big
            chunks.append(chunk)
        if inflate is not None and not inflate.eof:
            raise SourceError(f"{shown}: the compressed answer ends early; try again later")
    except zlib.error:
        raise SourceError(f"{shown}: the server sent a broken gzip body; try again later") from None
    return b"".join(chunks)
