"""The URLs calsync serves: the feed, the board, and the links from follow-ups to their cards."""
from __future__ import annotations

from typing import TYPE_CHECKING

from calsync.config import Config
from calsync.web.feedfile import FEED_NAME

if TYPE_CHECKING:
    from calsync.state import StateStore


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


def board_url(config: Config, token: str | None, port: int | None = None) -> str:
    """The board: the feed URL's folder."""
    return subscription_url(config, token, port).removesuffix(FEED_NAME)


def reachable(config: Config) -> bool:
    """Whether the user's other devices can open calsync's URLs: a public URL, or a bind that is not loopback."""
    if config.feed.public_url:
        return True
    import ipaddress

    bind = config.feed.bind.strip("[]")
    if bind in ("", "localhost"):
        return False
    try:
        return not ipaddress.ip_address(bind).is_loopback
    except ValueError:
        return True  # a host name of this machine


def card_links(config: Config, token: str | None, port: int | None) -> str | None:
    """The base of every card link (``…/<token>/``), or None when no reachable URL is configured."""
    return board_url(config, token, port) if token and reachable(config) else None


def card_link_base(config: Config, store: "StateStore") -> str | None:
    """The current card-link base for a pass: reads the token only when the board is reachable at all."""
    if not reachable(config):
        return None
    from calsync.web.token import FeedToken

    token = FeedToken(store, config.state_dir).ensure()
    return card_links(config, token, bound_port(config, store.get_meta("feed_bound")))
