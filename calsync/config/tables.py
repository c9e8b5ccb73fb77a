"""Typed reading of one TOML table that collects problems (with dotted paths) instead of raising."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class TableReader:
    """Typed access to one TOML table that records problems instead of raising."""

    def __init__(self, data: dict[str, Any], path: str, problems: list[str]) -> None:
        self.data, self.path, self.problems = data, path, problems
        self.used: set[str] = set()

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def table(self, key: str) -> "TableReader":
        value = self.get(key, {}, dict, "a table")
        return TableReader(value, self._where(key), self.problems)

    def get(self, key: str, default: Any, kind: type | tuple[type, ...], expected: str) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.problems.append(f"{self._where(key)}: expected {expected}, got {value!r}")
            return default
        return value

    def string(self, key: str, default: str) -> str:
        return str(self.get(key, default, str, "a string"))

    def boolean(self, key: str, default: bool) -> bool:
        return bool(self.get(key, default, bool, "true or false"))

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        value = self.get(key, default, int, "a whole number")
        if value < minimum:
            self.problems.append(f"{self._where(key)}: expected a whole number >= {minimum}, got {value}")
            return default
        return int(value)

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(key, list(default), list, "a list of strings")
        if not all(isinstance(v, str) for v in value):
            self.problems.append(f"{self._where(key)}: expected a list of strings, got {value!r}")
            return default
        return tuple(value)

    def clock(self, key: str, default: dt.time | None) -> dt.time | None:
        value = self.get(key, default, (str, dt.time), "HH:MM")
        if isinstance(value, str):
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                self.problems.append(f"{self._where(key)}: expected HH:MM, got {value!r}")
                return default
            return dt.time(int(m.group(1)), int(m.group(2)))
        return value

    def duration(self, key: str, default: float) -> float:
        value = self.get(key, default, (int, float, str), 'a duration such as "90s", "15m" or "1h"')
        if isinstance(value, str):
            m = _DURATION.match(value)
            if not m:
                self.problems.append(f"{self._where(key)}: expected a duration such as \"90s\", \"15m\" or \"1h\", got {value!r}")
                return default
            value = int(m.group(1)) * _UNITS[m.group(2)]
        if value <= 0:
            self.problems.append(f"{self._where(key)}: expected a positive duration, got {value!r}")
            return default
        return float(value)

    def dates(self, key: str) -> frozenset[dt.date]:
        found: set[dt.date] = set()
        for i, value in enumerate(self.get(key, [], list, "a list of dates")):
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                found.add(value)
                continue
            try:
                found.add(dt.date.fromisoformat(str(value)))
            except ValueError:
                self.problems.append(f"{self._where(key)}[{i}]: expected a date (2026-12-24), got {value!r}")
        return frozenset(found)

    def check_unknown(self) -> None:
        for key in self.data:
            if key not in self.used:
                self.problems.append(f"{self._where(key)}: unknown key")
