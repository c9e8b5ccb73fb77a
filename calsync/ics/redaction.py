"""Make URLs and remote text safe to show: secrets redacted, terminal escape sequences removed.

Calendar share links carry their secret in the user-info, the query or the path (Google's
``…/private-<secret>/basic.ics``, iCloud's ``/published/2/<token>``, Outlook's ``/<guid>/<hex>/``).
Every URL that reaches a log line, ``status``, ``doctor`` or systemd's STATUS= goes through here.
"""
from __future__ import annotations

import re
import urllib.parse

_HIDDEN = "…"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_+=-]{16,}")
_URL = re.compile(r"\b(?:https?|webcals?)://[^\s<>\"'`]+", re.IGNORECASE)
# ESC-led sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks; ended by BEL or ST or not at all),
# then any other ESC + one character; then every remaining C0/C1 control except tab and newline.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[^\[\]]?|\x9b[0-?]*[ -/]*[@-~]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalize_url(url: str) -> str:
    """``webcal://`` and ``webcals://`` (what iCloud and Outlook share) mean ``https://``."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme.lower() in ("webcal", "webcals"):
        return "https://" + rest
    return url.strip()


def _looks_secret(segment: str) -> bool:
    """A path segment that is a share secret: ``private-…``, a UUID, or a long run of random-looking characters."""
    text = urllib.parse.unquote(segment)
    if text.lower().startswith("private-") or _UUID.search(text):
        return True
    for run in _TOKEN_RUN.findall(text):
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
            return True
        if len(run) >= 32:
            return True
    return False


def _redact_segment(segment: str) -> str:
    if not _looks_secret(segment):
        return segment
    return "private-" + _HIDDEN if segment.lower().startswith("private-") else _HIDDEN


def redact_url(url: str) -> str:
    """The URL without user-info, query, fragment or secret-looking path segments; safe to log."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return _HIDDEN  # unparseable: show nothing of it
    if ":" in host:
        host = f"[{host}]"
    if port:
        host = f"{host}:{port}"
    path = "/".join(_redact_segment(segment) for segment in parts.path.split("/"))
    return urllib.parse.urlunsplit((parts.scheme, host, path, _HIDDEN if parts.query else "", ""))


def url_label(url: str) -> str:
    """A short name for a URL source: host and path, redacted, without scheme or query."""
    redacted = redact_url(url)
    return redacted.split("://", 1)[-1].split("?", 1)[0]


def strip_escapes(text: str) -> str:
    """Remote text without terminal escape sequences or control characters (tabs and newlines kept)."""
    if _CONTROLS.search(text) is None:  # the common case: one scan, no copy
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def scrub(text: str) -> str:
    """Text fit for a terminal, a log or systemd: escapes stripped and every URL in it redacted."""
    text = strip_escapes(text)
    if "://" not in text:
        return text
    return _URL.sub(lambda match: redact_url(match.group(0)), text)
