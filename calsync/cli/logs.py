"""Logging: plain lines with priority prefixes under journald, timestamps elsewhere."""
from __future__ import annotations

import logging
import os
import sys

from calsync.ics.redaction import scrub

_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class ScrubbedFormatter(logging.Formatter):
    """Every line, traceback included, with URLs redacted and terminal escapes stripped."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JournalFormatter(ScrubbedFormatter):
    """``<N>message``: journald reads the priority and adds its own timestamp."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = f"<{_PRIORITY.get(record.levelno, 6)}>"
        return "\n".join(prefix + line for line in text.splitlines())


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a line is logged, never to a stream replaced (and closed) since."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def under_journald() -> bool:
    stream = os.environ.get("JOURNAL_STREAM", "")
    if not stream or ":" not in stream:
        return False
    try:
        st = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError):
        return False
    dev, _, ino = stream.partition(":")
    return f"{st.st_dev}:{st.st_ino}" == f"{dev}:{ino}"


def configure_logging(verbose: bool) -> None:
    handler = StderrHandler()
    if under_journald():
        handler.setFormatter(JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(ScrubbedFormatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("calsync")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
