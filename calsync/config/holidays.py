"""Holiday data from python-holidays (default) or workalendar, one region each."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from calsync.errors import ConfigError

BACKENDS = ("holidays", "workalendar")


# A bare country whose holidays differ by nation: the reading most users mean, and the
# one workalendar uses (its "GB" calendar is England and Wales).
_DEFAULT_SUBDIVISION = {"GB": "ENG", "UK": "ENG"}


def _split_region(region: str) -> tuple[str, str | None]:
    country, _, subdiv = region.strip().upper().partition("-")
    country = "GB" if country == "UK" else country
    return country, (subdiv or _DEFAULT_SUBDIVISION.get(country))


@lru_cache(maxsize=1)
def _known_countries() -> frozenset[str]:
    """ISO codes python-holidays supports, read from its registry table without importing the package
    (its ``__init__`` costs more than a short command's whole budget); imported only if that text changes shape."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("holidays")
    try:
        assert spec is not None and spec.submodule_search_locations
        text = (Path(next(iter(spec.submodule_search_locations))) / "registry.py").read_text(encoding="utf-8")
        table = text[text.index("COUNTRIES"):text.index("FINANCIAL")]
        codes = frozenset(re.findall(r'"([A-Z]{2})"', table))
        if len(codes) > 100:
            return codes
    except (AssertionError, OSError, ValueError):
        pass
    from holidays.registry import COUNTRIES

    return frozenset(code for entry in COUNTRIES.values() for code in entry[1:] if len(code) == 2)


class PythonHolidays:
    """python-holidays, maintained; observed days included. Loaded on first use, not to validate a region
    (its ``holidays.countries`` package imports every country at once)."""

    def __init__(self, region: str) -> None:
        self._country, self._subdiv = _split_region(region)
        if self._country not in _known_countries():
            raise ConfigError([f"business.region: unknown region {region!r} (not a country python-holidays knows)"])
        if "-" in region:  # an explicit subdivision: check it now (this loads the one country)
            self._check(region)

    def _check(self, region: str) -> None:
        import holidays

        try:
            holidays.country_holidays(self._country, subdiv=self._subdiv)
        except NotImplementedError as exc:
            raise ConfigError([f"business.region: unknown region {region!r} ({exc})"]) from None

    def holidays(self, year: int) -> frozenset[dt.date]:
        import holidays

        # Observed days can spill into the neighbouring year (Dec 31 for Jan 1).
        found = holidays.country_holidays(self._country, subdiv=self._subdiv, years=range(year - 1, year + 2))
        return frozenset(d for d in found if d.year == year)


# python-holidays' names for what workalendar calls "GB" (England and Wales): "GB", "UK", "GB-ENG", "GB-WLS".
_ENGLAND_AND_WALES = {("GB", "ENG"), ("GB", "WLS")}


class Workalendar:
    """workalendar; its data stops in early 2023."""

    def __init__(self, region: str) -> None:
        from workalendar.registry import registry

        country, subdiv = _split_region(region)
        code = country if (country, subdiv) in _ENGLAND_AND_WALES else region.strip().upper()
        cls = registry.get(code)
        if cls is None:
            raise ConfigError([f"business.region: unknown region {region!r} for workalendar"])
        self._cal = cls()

    def holidays(self, year: int) -> frozenset[dt.date]:
        days: set[dt.date] = set()
        # Observed days can spill into the neighbouring year (Dec 31 for Jan 1).
        for y in (year - 1, year, year + 1):
            days.update(d for d, _ in self._cal.holidays(y) if d.year == year)
        return frozenset(days)


@lru_cache(maxsize=64)
def holiday_source(backend: str, region: str) -> PythonHolidays | Workalendar:
    """A cached holiday source; raises ConfigError for an unknown backend or region."""
    if backend == "holidays":
        return PythonHolidays(region)
    if backend == "workalendar":
        return Workalendar(region)
    raise ConfigError([f"business.calendar: expected one of {', '.join(BACKENDS)}, got {backend!r}"])
