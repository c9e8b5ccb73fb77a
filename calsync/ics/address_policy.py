"""Which network addresses a fetch may connect to: internal ranges only when the configured URL is internal.

A calendar URL on the internet must not be able to redirect calsync (or resolve, after a redirect) to
the cloud metadata service at 169.254.169.254, to the machine itself, or into the home network.
A URL the user configured on such an address keeps working, and so do redirects within its kind.
"""
from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass

Address = tuple[int, tuple[str, int]]  # (socket family, (host, port)) as resolved


class TargetRefused(Exception):
    """Every address of a redirect target is internal while the configured URL is not."""


class Reach(enum.Enum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    PRIVATE = "private"


def reach_of(host: str) -> Reach:
    """The kind of network an IP address lies in (IPv4 inside IPv6 judged by its IPv4 address)."""
    ip = ipaddress.ip_address(host.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 connects to this machine
        return Reach.LOOPBACK
    if ip.is_link_local:
        return Reach.LINK_LOCAL
    if not ip.is_global or ip.is_multicast:
        return Reach.PRIVATE
    return Reach.PUBLIC


@dataclass(frozen=True)
class AddressPolicy:
    """The internal kinds of network the configured URL itself resolved to; public is always allowed."""

    internal: frozenset[Reach]

    @classmethod
    def of(cls, configured: list[Address]) -> AddressPolicy:
        return cls(frozenset(reach_of(host) for _, (host, _) in configured) - {Reach.PUBLIC})

    def permitted(self, addresses: list[Address]) -> list[Address]:
        """The addresses that may be reached, in order; TargetRefused when none may."""
        allowed = [a for a in addresses if reach_of(a[1][0]) in self.internal | {Reach.PUBLIC}]
        if not allowed and addresses:
            kinds = sorted({reach_of(host).value for _, (host, _) in addresses})
            raise TargetRefused(f"redirected to a {' and '.join(kinds)} address ({addresses[0][1][0]}); refused — "
                                "only a URL configured on such an address may reach one")
        return allowed
