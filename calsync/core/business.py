"""Business-day arithmetic over a pluggable holiday source."""
from __future__ import annotations

import datetime as dt
from typing import Protocol

ONE_DAY = dt.timedelta(days=1)


class HolidaySource(Protocol):
    """Public holidays of one region, a year at a time."""

    def holidays(self, year: int) -> frozenset[dt.date]: ...


class BusinessCalendar:
    """Mon-Fri minus public holidays and extra holidays, plus extra working days."""

    def __init__(
        self,
        source: HolidaySource,
        extra_holidays: frozenset[dt.date] = frozenset(),
        extra_working_days: frozenset[dt.date] = frozenset(),
    ) -> None:
        self._source = source
        self._extra_holidays = extra_holidays
        self._extra_working_days = extra_working_days
        self._years: dict[int, frozenset[dt.date]] = {}
        self._added: dict[tuple[dt.date, int], dt.date] = {}

    def _holidays(self, year: int) -> frozenset[dt.date]:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._source.holidays(year)
        return found

    def is_business_day(self, day: dt.date) -> bool:
        if day in self._extra_working_days:
            return True
        if day in self._extra_holidays:
            return False
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        return self.add_business_days(day, 1)

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day strictly after ``day`` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = self._added.get((day, n))
        if found is None:
            found = day
            for _ in range(n):
                found += ONE_DAY
                while not self.is_business_day(found):
                    found += ONE_DAY
            self._added[(day, n)] = found
        return found
