"""Kinds of configuration values: how each is read from TOML, checked, bounded, and written back as TOML."""
from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import string
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calsync.config.toml_text import toml_string, toml_value
from calsync.core.user_pattern import compile_user_pattern
from calsync.ics.redaction import normalize_url, redact_url


class Invalid(ValueError):
    """A value that does not fit its kind; the message says what was expected, ``where`` adds to the key's path."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


MAX_TEXT = 10_000
MAX_ITEMS = 1_000


def shown(value: object, limit: int = 60) -> str:
    """A value as a problem message quotes it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Kinds ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Base kind: ``read`` turns raw TOML into the resolved value, ``write`` turns it back into TOML."""

    expected: str = "a value"

    def read(self, raw: object, base: Path) -> Any:
        raise NotImplementedError

    def write(self, value: Any) -> str:
        return toml_value(value)

    def fail(self, raw: object, expected: str | None = None) -> Invalid:
        return Invalid(f"expected {expected or self.expected}, got {shown(raw)}")


@dataclass(frozen=True)
class Text(Kind):
    """A string of bounded length."""

    expected: str = "a string"
    max_length: int = 2_000

    def read(self, raw: object, base: Path) -> str:
        if not isinstance(raw, str):
            raise self.fail(raw)
        if len(raw) > self.max_length:
            raise Invalid(f"longer than {self.max_length} characters")
        return raw


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few strings."""

    options: tuple[str, ...] = ()

    def read(self, raw: object, base: Path) -> str:
        if raw not in self.options:
            quoted = [repr(o) for o in self.options]
            wanted = " or ".join(quoted) if len(quoted) <= 2 else "one of " + ", ".join(quoted)
            raise self.fail(raw, wanted)
        return str(raw)


@dataclass(frozen=True)
class Flag(Kind):
    """true or false."""

    expected: str = "true or false"

    def read(self, raw: object, base: Path) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(raw)
        return raw


@dataclass(frozen=True)
class Whole(Kind):
    """A whole number within bounds."""

    minimum: int = 0
    maximum: int = 1_000_000

    def read(self, raw: object, base: Path) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise self.fail(raw, "a whole number")
        if raw < self.minimum:
            raise self.fail(raw, f"a whole number >= {self.minimum}")
        if raw > self.maximum:
            raise self.fail(raw, f"a whole number <= {self.maximum}")
        return raw


@dataclass(frozen=True)
class Fraction(Kind):
    """A number from 0 to 1 (a score threshold)."""

    expected: str = "a number from 0 to 1"

    def read(self, raw: object, base: Path) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
            raise self.fail(raw)
        return float(raw)


_DURATION = re.compile(r"^\s*(\d{1,12})\s*(s|sec|m|min|h|d|w)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_WRITE_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


@dataclass(frozen=True)
class Duration(Kind):
    """Seconds; written as "15m", "90s", "1h" or a number of seconds."""

    expected: str = 'a duration such as "90s", "15m" or "1h"'
    minimum: float = 1.0
    maximum: float = 30 * 86400.0

    def read(self, raw: object, base: Path) -> float:
        if isinstance(raw, str):
            m = _DURATION.match(raw)
            if not m:
                raise self.fail(raw)
            seconds = float(int(m.group(1)) * _UNITS[m.group(2)])
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if not math.isfinite(raw):
                raise self.fail(raw, "a finite duration")
            seconds = float(raw)
        else:
            raise self.fail(raw)
        if seconds <= 0:
            raise self.fail(raw, "a positive duration")
        if not self.minimum <= seconds <= self.maximum:
            raise Invalid(f"expected a duration from {format_duration(self.minimum)} to {format_duration(self.maximum)}, got {shown(raw)}")
        return seconds

    def write(self, value: float) -> str:
        return toml_string(format_duration(value)) if value == int(value) else repr(value)


def format_duration(seconds: float) -> str:
    whole = int(seconds)
    if whole != seconds or whole == 0:
        return f"{seconds:g}s"
    for unit, size in _WRITE_UNITS:
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


@dataclass(frozen=True)
class Clock(Kind):
    """A time of day, HH:MM."""

    expected: str = "HH:MM"

    def read(self, raw: object, base: Path) -> dt.time:
        if isinstance(raw, dt.time):
            return raw.replace(second=0, microsecond=0)
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip()) if isinstance(raw, str) else None
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise self.fail(raw)
        return dt.time(int(m.group(1)), int(m.group(2)))

    def write(self, value: dt.time) -> str:
        return toml_string(value.strftime("%H:%M"))


@dataclass(frozen=True)
class ListOf(Kind):
    """A list of one kind; problems name the item (``key[2]``)."""

    item: Kind = Text()
    max_items: int = MAX_ITEMS
    frozen_set: bool = False

    def read(self, raw: object, base: Path) -> Any:
        if not isinstance(raw, list):
            raise self.fail(raw, f"a list of {self.item.expected.removeprefix('a ').removeprefix('an ')}s")
        if len(raw) > self.max_items:
            raise Invalid(f"expected at most {self.max_items} items, got {len(raw)}")
        values = []
        for i, item in enumerate(raw):
            try:
                values.append(self.item.read(item, base))
            except Invalid as exc:
                raise Invalid(str(exc), f"[{i}]{exc.where}") from None
        return frozenset(values) if self.frozen_set else tuple(values)

    def write(self, value: Any) -> str:
        items = sorted(value) if self.frozen_set else value
        return "[" + ", ".join(self.item.write(v) for v in items) + "]"


@dataclass(frozen=True)
class Day(Kind):
    """A date, 2026-12-24."""

    expected: str = "a date (2026-12-24)"

    def read(self, raw: object, base: Path) -> dt.date:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        try:
            return dt.date.fromisoformat(raw) if isinstance(raw, str) else _raise()
        except (ValueError, TypeError):
            raise self.fail(raw) from None


def _raise() -> dt.date:
    raise TypeError


@dataclass(frozen=True)
class Zone(Kind):
    """An IANA time zone."""

    expected: str = "an IANA time zone such as 'Europe/Berlin'"

    def read(self, raw: object, base: Path) -> ZoneInfo:
        if not isinstance(raw, str) or not raw or len(raw) > 100:
            raise self.fail(raw)
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"unknown time zone {shown(raw)} (use an IANA name such as 'Europe/Berlin')") from None

    def write(self, value: ZoneInfo) -> str:
        return toml_string(value.key)


@dataclass(frozen=True)
class Place(Kind):
    """A file or directory; relative paths are relative to the configuration file; ``~`` expands."""

    expected: str = "a path"
    empty_is_unset: bool = False

    def read(self, raw: object, base: Path) -> Path | None:
        if raw == "" and self.empty_is_unset:
            return None
        if not isinstance(raw, str) or not raw or "\0" in raw or len(raw) > 4096:
            raise self.fail(raw, "a non-empty path")
        return (base / Path(raw).expanduser()).resolve()

    def write(self, value: Path) -> str:
        return toml_string(str(value))


@dataclass(frozen=True)
class WebAddress(Kind):
    """An http(s) URL; webcal:// is read as https://."""

    expected: str = "an http:// or https:// URL"
    allow_empty: bool = False

    def read(self, raw: object, base: Path) -> str:
        if not isinstance(raw, str) or len(raw) > 4096:
            raise self.fail(raw)
        if not raw and self.allow_empty:
            return raw
        url = normalize_url(raw)  # webcal:// means https://
        try:
            parts = urllib.parse.urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise Invalid(f"not a valid URL (bad host or port): {shown(redact_url(url))}") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
            raise Invalid(f"only http://, https:// and webcal:// URLs are supported, got {shown(redact_url(url))}")
        return url


@dataclass(frozen=True)
class BindAddress(Kind):
    """An IP address to listen on, or localhost."""

    expected: str = "an IP address to listen on, such as '127.0.0.1', '0.0.0.0' or '::'"

    def read(self, raw: object, base: Path) -> str:
        if raw == "localhost":
            return raw
        try:
            return str(ipaddress.ip_address(raw)) if isinstance(raw, str) else _raise()  # type: ignore[return-value]
        except (ValueError, TypeError):
            raise self.fail(raw) from None


@dataclass(frozen=True)
class Pattern(Kind):
    """A regular expression that runs in bounded time (see calsync.core.user_pattern)."""

    expected: str = "a regular expression"

    def read(self, raw: object, base: Path) -> str:
        if not isinstance(raw, str) or len(raw) > 500:
            raise self.fail(raw, "a regular expression of at most 500 characters")
        try:
            compile_user_pattern(raw)  # RE2, or Python's engine for what passes the backtracking check
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        return raw


@dataclass(frozen=True)
class Template(Kind):
    """A str.format template over named fields only; parsed and test-rendered when read."""

    expected: str = "a template string"
    fields: frozenset[str] = frozenset()

    def read(self, raw: object, base: Path) -> str:
        if not isinstance(raw, str):
            raise self.fail(raw)
        if len(raw) > MAX_TEXT:
            raise Invalid(f"longer than {MAX_TEXT} characters")
        known = ", ".join("{" + f + "}" for f in sorted(self.fields))
        try:
            parts = list(string.Formatter().parse(raw))
        except ValueError as exc:
            raise Invalid(f"not a valid template ({exc}); write {{{{ and }}}} for literal braces") from None
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in self.fields:
                raise Invalid(f"unknown field {{{name}}}; use one of {known}")
            if conversion or spec:
                raise Invalid(f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}: conversions and format specs are not supported; write {{{name}}}")
        try:
            raw.format_map({f: "x" for f in self.fields})
        except (ValueError, KeyError, IndexError, AttributeError) as exc:
            raise Invalid(f"cannot be rendered ({exc})") from None
        return raw


Check = Callable[[dict[str, Any], "Report"], None]


@dataclass
class Report:
    """Problems (errors) and warnings collected while reading, each with its dotted path."""

    problems: list[str]
    warnings: list[str]
    bad: set[str] = field(default_factory=set)  # keys whose value was refused

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def warning(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}" if where else message)
