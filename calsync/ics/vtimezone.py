"""The feed's VTIMEZONE, read off the zone database: one observance per transition, no multi-valued RDATE.

ical.js (Thunderbird, Nextcloud) and vobject keep only the first value of ``RDATE:a,b,c``, so every
transition gets its own STANDARD/DAYLIGHT block with just DTSTART — the form every parser reads alike.
DTSTART is the onset in the local time of TZOFFSETFROM, as RFC 5545 3.6.5 defines it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
_STEP = dt.timedelta(hours=6)  # no zone changes twice within six hours


@dataclass(frozen=True)
class Observance:
    """From ``onset`` (UTC) on, the zone is at ``offset_to`` and called ``name``."""

    onset: dt.datetime
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    daylight: bool


def _state(zone: ZoneInfo, moment: dt.datetime) -> tuple[dt.timedelta, dt.timedelta, str]:
    local = moment.astimezone(zone)
    return local.utcoffset() or dt.timedelta(), local.dst() or dt.timedelta(), local.tzname() or ""


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[Observance]:
    """The observance in force on 1 January of ``first_year``, then every change up to the end of ``last_year``."""
    start = dt.datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    offset, dst, name = _state(zone, start)
    found = [Observance(start, offset, offset, name, dst != dt.timedelta())]
    moment, state = start, (offset, dst, name)
    while moment < end:
        following = min(moment + _STEP, end)
        if _state(zone, following) != state:
            low, high = moment, following  # the state changes in (low, high]: bisect to the second
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            new = _state(zone, high)
            found.append(Observance(high, state[0], new[0], new[2], new[1] != dt.timedelta()))
            state = new
        moment = following
    return found


def _offset(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _wall(moment: dt.datetime) -> str:
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


@lru_cache(maxsize=32)
def vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE for ``zone`` valid from ``first_year`` through ``last_year``; the same input, the same bytes."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}"]
    for obs in transitions(ZoneInfo(zone), first_year, last_year):
        onset = obs.onset.replace(tzinfo=None) + obs.offset_from  # local time before the change
        kind = "DAYLIGHT" if obs.daylight else "STANDARD"
        lines += [f"BEGIN:{kind}", f"DTSTART:{_wall(onset)}", f"TZNAME:{obs.name}",
                  f"TZOFFSETFROM:{_offset(obs.offset_from)}", f"TZOFFSETTO:{_offset(obs.offset_to)}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return "".join(line + "\r\n" for line in lines).encode("utf-8")
