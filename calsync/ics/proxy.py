"""The proxy the standard environment variables name (http_proxy, https_proxy, no_proxy), and CONNECT through it."""
from __future__ import annotations

import base64
import os
import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from calsync.errors import SourceError
from calsync.ics.redaction import redact_url, strip_escapes

CONNECT_REPLY_LIMIT = 16384


def basic_auth(url: str) -> str:
    """The Basic authorization a URL's user-info stands for ("" when it has none)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.username:
        return ""
    return basic_credentials(urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))


def basic_credentials(user: str, password: str) -> str:
    """The Basic Authorization header value for ``user`` and ``password``."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str  # Proxy-Authorization from the proxy URL's user-info; sent to the proxy only
    shown: str  # e.g. "https_proxy (http://proxy:3128)", redacted


def proxy_for(scheme: str, host: str, shown: str) -> Proxy | None:
    """The proxy the environment names for a ``scheme`` URL on ``host``, or None (none set, or ``no_proxy``)."""
    if not any(name.lower() in ("http_proxy", "https_proxy") for name in os.environ):
        return None  # the common case, without importing urllib.request
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    url = proxies.get(scheme, "").strip()
    if not url or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    variable = f"{scheme}_proxy = {redact_url(url)}"
    parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = parts.port or 80
    except ValueError:
        raise SourceError(f"{shown}: {variable} is not a valid proxy address; fix it, or set no_proxy") from None
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise SourceError(f"{shown}: {variable}: only http:// proxies are supported; change it, or set no_proxy")
    return Proxy(parts.hostname, port, basic_auth(parts.geturl()), f"{scheme}_proxy ({redact_url(url)})")


def tunnel(sock: socket.socket, host: str, port: int, proxy: Proxy, remaining: Callable[[], float], shown: str,
           agent: str) -> None:
    """CONNECT host:port through the proxy, each wait bounded by ``remaining()``; returns once it answered 2xx,
    with nothing read beyond its answer (what follows is the target's TLS). On failure the socket is closed."""
    try:
        _connect(sock, host, port, proxy, remaining, shown, agent)
    except BaseException:
        sock.close()
        raise


def _connect(sock: socket.socket, host: str, port: int, proxy: Proxy, remaining: Callable[[], float], shown: str,
             agent: str) -> None:
    host = host if host.isascii() else host.encode("idna").decode("ascii")
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {where} HTTP/1.1", f"Host: {where}", f"User-Agent: {agent}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    sock.settimeout(remaining())
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
    reply = b""
    while not reply.endswith(b"\r\n\r\n"):
        if len(reply) > CONNECT_REPLY_LIMIT:
            raise SourceError(f"{shown}: the proxy in {proxy.shown} sent an oversized answer to CONNECT; check it")
        sock.settimeout(remaining())
        chunk = sock.recv(1)  # byte by byte: nothing of the tunnel may be read here
        if not chunk:
            raise SourceError(f"{shown}: the proxy in {proxy.shown} closed the connection during CONNECT; check it")
        reply += chunk
    status = reply.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].startswith("2"):
        raise SourceError(f"{shown}: the proxy in {proxy.shown} refused to connect to {where} "
                          f"({strip_escapes(status)[:80]}); check it, or set no_proxy")
