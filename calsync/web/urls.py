"""The subscription URL of the feed."""
from __future__ import annotations

from calsync.config import Config
from calsync.web.feedfile import FEED_NAME


def subscription_url(config: Config, token: str | None, port: int | None = None) -> str:
    shown = token or "<token: run `calsync rotate-feed-token`>"
    if config.feed.public_url:
        return f"{config.feed.public_url}/{shown}/{FEED_NAME}"
    host = config.feed.bind
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port if port is not None else config.feed.port}/{shown}/{FEED_NAME}"


def bound_port(config: Config, bound: str | None) -> int | None:
    """With ``feed.port = 0`` the port is chosen at start; calsync remembers the last one bound."""
    return int(bound.rsplit(":", 1)[1]) if bound and config.feed.port == 0 else None
