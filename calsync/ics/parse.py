"""Parse iCalendar data into SourceEvents: zones, all-day events, recurrences, broken events."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from calsync.core.model import Attendee, SourceEvent
from calsync.errors import SourceError

UTC = dt.timezone.utc
MAX_SERIES_OCCURRENCES = 500


@dataclass(frozen=True)
class IcsLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_components: int = 50_000
    max_occurrences: int = MAX_SERIES_OCCURRENCES
    window_past_days: int = 90
    window_future_days: int = 400


@dataclass
class ParsedCalendar:
    events: list[SourceEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class EventProblem(ValueError):
    """One event cannot be used; the rest of the calendar still is."""


def _text(component: object, name: str) -> str:
    value = component.get(name)  # type: ignore[attr-defined]
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _email(address: object) -> str:
    text = str(address)
    return text[7:] if text.lower().startswith("mailto:") else text


def _person(address: object) -> Attendee:
    params = getattr(address, "params", {})
    return Attendee(email=_email(address), name=str(params.get("CN", "")), partstat=str(params.get("PARTSTAT", "")).upper())


def _categories(component: object) -> tuple[str, ...]:
    raw = component.get("CATEGORIES")  # type: ignore[attr-defined]
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    found: list[str] = []
    for item in items:
        cats = getattr(item, "cats", None)
        found.extend(str(c) for c in (cats if cats is not None else str(item).split(",")))
    return tuple(c.strip() for c in found if c.strip())


def _moment(component: object, name: str, zone: ZoneInfo) -> tuple[dt.datetime, bool] | None:
    prop = component.get(name)  # type: ignore[attr-defined]
    if prop is None:
        return None
    try:
        value = prop.dt
    except Exception as exc:  # icalendar reports a broken value on access
        raise EventProblem(f"{name} is not a valid date or time ({exc})") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            tzid = prop.params.get("TZID")
            if tzid:
                raise EventProblem(f"{name} uses the time zone {tzid!r}, which is neither a known zone nor defined in the file")
            value = value.replace(tzinfo=zone)  # floating time: the user's zone
        return value, False
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0), zone), True
    raise EventProblem(f"{name} has an unsupported value {value!r}")


def _event(component: object, uid: str, zone: ZoneInfo, source: str) -> SourceEvent:
    found = _moment(component, "DTSTART", zone)
    if found is None:
        raise EventProblem("it has no DTSTART")
    start, all_day = found
    end_found = _moment(component, "DTEND", zone)
    if end_found is not None:
        end = end_found[0]
    elif component.get("DURATION") is not None:  # type: ignore[attr-defined]
        try:
            end = start + component["DURATION"].dt  # type: ignore[index]
        except Exception as exc:
            raise EventProblem(f"DURATION is not valid ({exc})") from None
    else:
        end = start + (dt.timedelta(days=1) if all_day else dt.timedelta(hours=1))
    if end <= start:
        end = start + (dt.timedelta(days=1) if all_day else dt.timedelta(hours=1))
    organizer = component.get("ORGANIZER")  # type: ignore[attr-defined]
    attendees = component.get("ATTENDEE") or []  # type: ignore[attr-defined]
    if not isinstance(attendees, list):
        attendees = [attendees]
    return SourceEvent(
        uid=uid,
        summary=_text(component, "SUMMARY"),
        description=_text(component, "DESCRIPTION"),
        start=start,
        end=end,
        all_day=all_day,
        categories=_categories(component),
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
        organizer=_person(organizer) if organizer is not None else None,
        attendees=tuple(_person(a) for a in attendees),
        source=source,
    )


def occurrence_uid(uid: str, original_start: dt.datetime) -> str:
    """The spec's identity of one occurrence: UID@YYYYMMDDTHHMMSSZ of its original start."""
    return f"{uid}@{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _uid_of(component: object) -> str:
    uid = _text(component, "UID").strip()
    if uid:
        return uid
    seed = f"{_text(component, 'SUMMARY')}|{component.get('DTSTART') and component['DTSTART'].to_ical()!r}"  # type: ignore[attr-defined,index]
    return "calsync-nouid-" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def _check_rrule(master: object) -> None:
    rule = master.get("RRULE")  # type: ignore[attr-defined]
    for r in rule if isinstance(rule, list) else [rule]:
        freq = [str(f).upper() for f in r.get("FREQ", [])]
        if any(f in ("SECONDLY", "MINUTELY") for f in freq):
            raise EventProblem(f"its recurrence FREQ={freq[0]} is too frequent for an interview")
        if any(int(i) <= 0 for i in r.get("INTERVAL", [1])):
            raise EventProblem("its recurrence has INTERVAL=0")


def _expand(
    cal_class: type, components: list[object], extra: list[object], uid: str, zone: ZoneInfo, source: str,
    now: dt.datetime, limits: IcsLimits,
) -> list[SourceEvent]:
    import recurring_ical_events

    master = next(c for c in components if c.get("RECURRENCE-ID") is None and c.get("RRULE") is not None)  # type: ignore[attr-defined]
    _check_rrule(master)
    sub = cal_class()
    for c in extra + components:
        sub.add_component(c)
    begin = now - dt.timedelta(days=limits.window_past_days)
    stop = now + dt.timedelta(days=limits.window_future_days)
    events: list[SourceEvent] = []
    for occurrence in recurring_ical_events.of(sub).after(begin):
        start_found = _moment(occurrence, "DTSTART", zone)
        if start_found is None or start_found[0] > stop:
            break
        if len(events) >= limits.max_occurrences:
            break
        original = _moment(occurrence, "RECURRENCE-ID", zone) or start_found
        events.append(_event(occurrence, occurrence_uid(uid, original[0]), zone, source))
    return events


def parse_calendar(data: bytes, name: str, zone: ZoneInfo, now: dt.datetime, limits: IcsLimits = IcsLimits()) -> ParsedCalendar:
    """Events of one calendar; a broken event is skipped with a warning naming it."""
    import icalendar

    if len(data) > limits.max_bytes:
        raise SourceError(f"{name}: calendar is {len(data)} bytes, over the limit of {limits.max_bytes} (sources limit max_bytes)")
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as exc:
        raise SourceError(f"{name}: not a valid iCalendar file ({exc}); check that it is an .ics export") from None
    if isinstance(cal, list):
        cal = cal[0]
    if cal.name != "VCALENDAR":
        raise SourceError(f"{name}: not a valid iCalendar file (no VCALENDAR)")
    if cal.get("X-WR-TIMEZONE") is not None:
        try:
            import x_wr_timezone

            cal = x_wr_timezone.to_standard(cal)
        except Exception as exc:
            raise SourceError(f"{name}: X-WR-TIMEZONE {str(cal.get('X-WR-TIMEZONE'))!r} cannot be used ({exc})") from None
    components = cal.subcomponents
    if len(components) > limits.max_components:
        raise SourceError(f"{name}: {len(components)} components, over the limit of {limits.max_components}")
    timezones = [c for c in components if c.name == "VTIMEZONE"]
    series: dict[str, list[object]] = defaultdict(list)
    for component in components:
        if component.name == "VEVENT":
            series[_uid_of(component)].append(component)
    parsed = ParsedCalendar()
    for uid, members in series.items():
        try:
            if any(c.get("RRULE") is not None and c.get("RECURRENCE-ID") is None for c in members):  # type: ignore[attr-defined]
                parsed.events.extend(_expand(type(cal), members, timezones, uid, zone, name, now, limits))
            else:
                for c in members:
                    rid = _moment(c, "RECURRENCE-ID", zone)
                    parsed.events.append(_event(c, occurrence_uid(uid, rid[0]) if rid else uid, zone, name))
        except Exception as exc:  # one broken event never hides the others
            summary = next((_text(c, "SUMMARY") for c in members if _text(c, "SUMMARY")), "")
            parsed.warnings.append(f"{name}: skipped event {uid!r}{f' ({summary})' if summary else ''}: {exc}")
    return parsed
