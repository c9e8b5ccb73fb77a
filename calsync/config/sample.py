"""The demo calendar (`type = "sample"` sources): the packaged sample interviews moved to the weeks ahead of today."""
from __future__ import annotations

import datetime as dt
import os
import re
from importlib import resources
from pathlib import Path

ANCHOR = dt.date(2026, 12, 1)  # the sample's first interview; the sample is written relative to it
_COMPACT = re.compile(r"(?<![0-9])(\d{4})(\d{2})(\d{2})(?=T\d{6}|\r?$)", re.M)
_ISO = re.compile(r"(?<![0-9])(\d{4})-(\d{2})-(\d{2})(?![0-9])")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_NAMED = re.compile(r"\b(" + "|".join(_MONTHS) + r") (\d{1,2})\b")


def sample_calendar(today: dt.date) -> str:
    """The sample .ics with every date moved by whole weeks, so its first interview falls 7–13 days after ``today``."""
    text = resources.files("calsync").joinpath("data", "sample-interviews.ics").read_text(encoding="utf-8")
    weeks = -(-((today + dt.timedelta(days=7)) - ANCHOR).days // 7)  # ceiling division
    shift = dt.timedelta(weeks=weeks)

    def moved(year: str, month: str, day: str) -> dt.date:
        return dt.date(int(year), int(month), int(day)) + shift

    text = _COMPACT.sub(lambda m: f"{moved(*m.groups()):%Y%m%d}", text)
    text = _ISO.sub(lambda m: moved(*m.groups()).isoformat(), text)

    def named(m: re.Match[str]) -> str:
        day = dt.date(ANCHOR.year, _MONTHS.index(m.group(1)) + 1, int(m.group(2))) + shift
        return f"{_MONTHS[day.month - 1]} {day.day}"

    return _NAMED.sub(named, text)


def write_sample(path: Path, today: dt.date) -> None:
    """Write the demo calendar for ``today`` atomically (unchanged files are left alone)."""
    text = sample_calendar(today)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)
