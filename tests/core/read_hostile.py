"""Read one hostile text through every part of the directive reader (run as a script by the tests)."""
from __future__ import annotations

import datetime as dt
import sys
import time
from zoneinfo import ZoneInfo

from calsync.core.business import BusinessCalendar
from calsync.core.detect import Seen, read_interview
from calsync.core.model import SourceEvent
from calsync.core.settings import PlanSettings
from tests.core.hostile_texts import HOSTILE

ZONE = ZoneInfo("America/Los_Angeles")


class _Weekdays:
    """Business days without holiday data: the reader's speed is what is measured here."""

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        while n > 0:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day


def read(text: str) -> float:
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    event = SourceEvent(uid="x", summary="Interview #interview", description=text, start=start,
                        end=start + dt.timedelta(hours=1))
    began = time.perf_counter()
    read_interview(event, PlanSettings(zone=ZONE), Seen(start, {}, {}), lambda region: _Weekdays())  # type: ignore[arg-type,return-value]
    return time.perf_counter() - began


if __name__ == "__main__":
    name, factor = sys.argv[1], int(sys.argv[2])
    print(f"{read(HOSTILE[name](factor)):.4f}")
