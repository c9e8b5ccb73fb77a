"""Parse iCalendar data into SourceEvents: zones, all-day events, recurrences, broken events."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import warnings
from collections import defaultdict
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from calsync.core.model import Attendee, SourceEvent
from calsync.errors import SourceError
from calsync.ics.prefilter import EventFilter, RawCalendar, RawComponent, assemble, details, scan_calendar, select
from calsync.ics.recurrence import EventProblem, Window, expand_rule, zone_steps

UTC = dt.timezone.utc
MAX_SERIES_OCCURRENCES = 500
FIRST_YEAR, LAST_YEAR = 1900, 2999  # dates outside are skipped: arithmetic near year 1 or 9999 overflows
log = logging.getLogger("calsync")


@dataclass(frozen=True)
class IcsLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_components: int = 50_000
    max_occurrences: int = MAX_SERIES_OCCURRENCES
    window_past_days: int = 90
    window_future_days: int = 400
    max_event_bytes: int = 256 * 1024  # one event (or VTIMEZONE) as text
    max_steps: int = 50_000  # recurrence steps per rule, also for VTIMEZONE rules


@dataclass
class ParsedCalendar:
    events: list[SourceEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    series: int = 0  # recurring series expanded: their occurrences depend on the window, hence on ``now``


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


def _moment(component: object, name: str, zone: ZoneInfo, bounded: bool = True) -> tuple[dt.datetime, bool] | None:
    prop = component.get(name)  # type: ignore[attr-defined]
    if prop is None:
        return None
    if isinstance(prop, list):
        raise EventProblem(f"it has {len(prop)} {name} lines; an event has one")
    try:
        value = prop.dt
    except Exception:  # icalendar reports a broken value on access
        raise EventProblem(f"its {name} is not a valid date or time") from None
    if bounded and isinstance(value, (dt.date, dt.datetime)) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise EventProblem(f"its {name} {value:%Y-%m-%d} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
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


def _event(component: object, uid: str, zone: ZoneInfo, source: str, bounded: bool = True) -> SourceEvent:
    """One event; ``bounded=False`` for a series' master, whose start may lie centuries before the window."""
    found = _moment(component, "DTSTART", zone, bounded)
    if found is None:
        raise EventProblem("it has no DTSTART")
    start, all_day = found
    end_found = _moment(component, "DTEND", zone, bounded)
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


def _occurrences(master_event: SourceEvent, master: object, overrides: list[object], uid: str, zone: ZoneInfo,
                 window: Window, limits: IcsLimits) -> tuple[list[SourceEvent], str]:
    """The series' occurrences inside the window: RRULEs, RDATEs and DTSTART, less EXDATEs, with overrides."""
    all_day = master_event.all_day
    start = master_event.start.replace(tzinfo=None) if all_day else master_event.start

    def key(value: object) -> object:
        if isinstance(value, tuple):  # an RDATE period
            value = value[0]
        if all_day:
            return value.date() if isinstance(value, dt.datetime) else value
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time(), zone)  # type: ignore[arg-type]
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)

    rules = master.get("RRULE")  # type: ignore[attr-defined]
    capped = ""
    excluded: set[object] = set()
    candidates: list[object] = [start]
    for rule in rules if isinstance(rules, list) else [rules]:
        found, why = expand_rule(dict(rule), start, window, zone, limits.max_steps)
        candidates.extend(found)
        capped = capped or why
    for name in ("RDATE", "EXDATE"):
        values = master.get(name)  # type: ignore[attr-defined]
        moments = [d.dt for v in (values if isinstance(values, list) else [values] if values is not None else []) for d in v.dts]
        if name == "RDATE":
            candidates.extend(m[0] if isinstance(m, tuple) else m for m in moments)
        else:
            excluded = {key(m) for m in moments}
    moved = {key(_moment(o, "RECURRENCE-ID", zone)[0]) for o in overrides}  # type: ignore[index]
    duration = master_event.end - master_event.start
    events: dict[object, SourceEvent] = {}
    for value in candidates:
        k = key(value)
        if k in excluded or k in moved or k in events:
            continue
        if all_day:
            at = dt.datetime.combine(k, dt.time(), zone)  # type: ignore[arg-type]
        else:
            at = value if isinstance(value, dt.datetime) and value.tzinfo else k.astimezone(zone)  # type: ignore[union-attr]
        if window.begin <= at <= window.stop:
            events[k] = replace(master_event, uid=occurrence_uid(uid, at), start=at, end=at + duration)
    ordered = sorted(events.values(), key=lambda e: e.start)
    if len(ordered) > limits.max_occurrences:
        ordered, capped = ordered[:limits.max_occurrences], capped or f"has more than {limits.max_occurrences} occurrences in the window"
    for override in overrides:
        event = _event(override, "", zone, master_event.source)
        if window.begin <= event.start <= window.stop:
            rid = _moment(override, "RECURRENCE-ID", zone)
            ordered.append(replace(event, uid=occurrence_uid(uid, rid[0])))  # type: ignore[index]
    return ordered, capped


def _raw_name(raw: RawCalendar, component: RawComponent) -> str:
    summary = details(raw.text, component).summary.decode("utf-8", "replace").strip()[:80]
    uid = component.uid or "(no UID)"
    return f"{uid!r}{f' ({summary})' if summary else ''}"


def _usable_zones(raw: RawCalendar, zones: list[RawComponent], name: str, limits: IcsLimits, parsed: ParsedCalendar) -> list[RawComponent]:
    """VTIMEZONEs icalendar can expand in bounded time; the others are left out with a warning."""
    usable = []
    for zone in zones:
        label = ", ".join(sorted(zone.tzids)) or "(no TZID)"
        size = zone.end - zone.start
        steps = zone_steps(raw.text[zone.start:zone.end]) if size <= limits.max_event_bytes else 0
        if size > limits.max_event_bytes:
            parsed.warnings.append(f"{name}: time zone {label!r} ignored: {size:,} bytes, over the limit of {limits.max_event_bytes:,} per component")
        elif steps > limits.max_steps:
            parsed.warnings.append(f"{name}: time zone {label!r} ignored: its rules would take more than {limits.max_steps:,} steps to expand")
        else:
            usable.append(zone)
    return usable


def _forget_custom_zones() -> None:
    """icalendar keeps each custom VTIMEZONE by TZID for the whole process, first one wins; each calendar must use its own."""
    from icalendar.timezone import tzp

    cache = getattr(tzp, "_TZP__tz_cache", None)  # no public way to clear it (icalendar 7); tests/ics/test_custom_zone.py notices a rename
    if isinstance(cache, dict):
        cache.clear()


def _parse_components(data: bytes, name: str) -> list[object]:
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    if cal.get("X-WR-TIMEZONE") is not None:
        try:
            import x_wr_timezone

            cal = x_wr_timezone.to_standard(cal)
        except Exception as exc:
            raise SourceError(f"{name}: X-WR-TIMEZONE {str(cal.get('X-WR-TIMEZONE'))!r} cannot be used ({exc})") from None
    return list(cal.subcomponents)


def _reason(exc: Exception) -> str:
    """A skip reason in the user's words: a bad value is named by the library; a bug only by its kind."""
    if isinstance(exc, OverflowError):
        return "one of its dates is too far in the past or future to compute with"
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, (AttributeError, KeyError)):
        return f"it has an invalid value ({_short(exc)})"
    return f"it cannot be read ({type(exc).__name__}); please report this event's text"


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"


def parse_calendar(data: bytes, name: str, zone: ZoneInfo, now: dt.datetime, limits: IcsLimits = IcsLimits(),
                   keep: EventFilter | None = None) -> ParsedCalendar:
    """Events of one calendar that ``keep`` can match (all without it); a broken event is skipped with a warning naming it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = _parse(data, name, zone, now, limits, keep)
    for warning in caught:  # library chatter (GloballyUniqueTZIDGuessed …) is for debugging only
        log.debug("%s: %s: %s", name, warning.category.__name__, warning.message)
    return parsed


def _parse(data: bytes, name: str, zone: ZoneInfo, now: dt.datetime, limits: IcsLimits, keep: EventFilter | None) -> ParsedCalendar:
    if len(data) > limits.max_bytes:
        raise SourceError(f"{name}: calendar is {len(data)} bytes, over the limit of {limits.max_bytes} (sources limit max_bytes)")
    raw = scan_calendar(data, name)
    if len(raw.components) > limits.max_components:
        raise SourceError(f"{name}: {len(raw.components)} components, over the limit of {limits.max_components}")
    parsed = ParsedCalendar()
    events, zones = select(raw, keep)
    too_big = {c.uid for c in events if c.end - c.start > limits.max_event_bytes}
    for c in events:
        if c.uid in too_big and c.end - c.start > limits.max_event_bytes:
            parsed.warnings.append(f"{name}: skipped event {_raw_name(raw, c)}: {c.end - c.start:,} bytes, over the limit of {limits.max_event_bytes:,} per event")
    events = [c for c in events if c.uid not in too_big]
    zone_text = b"".join(raw.text[z.start:z.end] for z in _usable_zones(raw, zones, name, limits, parsed))
    groups: dict[str | None, list[RawComponent]] = defaultdict(list)
    _forget_custom_zones()
    for c in events:
        groups[c.uid].append(c)
    try:
        components = _parse_components(assemble(raw, events, zone_text), name) if events else []
    except SourceError:
        raise
    except Exception:  # one unreadable event: find it, keep the others
        components = []
        for members in groups.values():
            try:
                components.extend(_parse_components(assemble(raw, members, zone_text), name))
            except SourceError:
                raise
            except Exception as exc:
                parsed.warnings.append(f"{name}: skipped event {_raw_name(raw, members[0])}: not valid iCalendar ({_short(exc)})")
    window = Window(now - dt.timedelta(days=limits.window_past_days), now + dt.timedelta(days=limits.window_future_days))
    series: dict[str, list[object]] = defaultdict(list)
    for component in components:
        if component.name == "VEVENT":  # type: ignore[attr-defined]
            series[_uid_of(component)].append(component)
    for uid, members in series.items():
        try:
            parsed.events.extend(_series_events(members, uid, zone, name, window, limits, parsed))
        except Exception as exc:  # one broken event never hides the others
            summary = next((_text(c, "SUMMARY") for c in members if _text(c, "SUMMARY")), "")
            reason = str(exc) if isinstance(exc, EventProblem) else _reason(exc)
            parsed.warnings.append(f"{name}: skipped event {uid!r}{f' ({summary[:80]})' if summary else ''}: {reason}")
    return parsed


def _series_events(members: list[object], uid: str, zone: ZoneInfo, name: str, window: Window, limits: IcsLimits,
                   parsed: ParsedCalendar) -> list[SourceEvent]:
    master = next((c for c in members if c.get("RECURRENCE-ID") is None and c.get("RRULE") is not None), None)  # type: ignore[attr-defined]
    if master is None:
        found = []
        for c in members:
            rid = _moment(c, "RECURRENCE-ID", zone)
            found.append(_event(c, occurrence_uid(uid, rid[0]) if rid else uid, zone, name))
        return found
    parsed.series += 1
    overrides = [c for c in members if c.get("RECURRENCE-ID") is not None]  # type: ignore[attr-defined]
    events, capped = _occurrences(_event(master, uid, zone, name, bounded=False), master, overrides, uid, zone, window, limits)
    if capped:
        summary = _text(master, "SUMMARY")
        parsed.warnings.append(f"{name}: event {uid!r}{f' ({summary[:80]})' if summary else ''}: its recurrence {capped}; the later ones are left out")
    return events
