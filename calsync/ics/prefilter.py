"""A raw scan of an .ics file: component boundaries, UIDs, TZIDs, and which events can matter.

icalendar is slow, and most of a real calendar is meetings that no matcher can hit. The scan
finds every top-level component's bytes without parsing them, so the parser only sees the
events whose text can match (plus every component sharing their UID and the time zones they
use). The keep-test is a superset of the matchers in ``calsync.core.detect``: a substring
test on case-folded raw text, which only ever keeps too much.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from calsync.core.settings import MatchSettings
from calsync.errors import SourceError

# The same unfolding icalendar does (icalendar.parser.content_line.UFOLD), on bytes.
_UNFOLD = re.compile(rb"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
_BOUNDARY = re.compile(rb"^[ \t]*(BEGIN|END)[ \t]*:[ \t]*([^\r\n]*)", re.M | re.I)
_PROPERTY = re.compile(rb"^(UID|SUMMARY|TZID)((?:;[^:\r\n]*)?):([^\r\n]*)", re.M | re.I)
_UID = re.compile(rb"^UID(?:;[^:\r\n]*)?:([^\r\n]*)", re.M | re.I)
_TZID_PARAM = re.compile(rb";TZID=(\"[^\"\r\n]*\"|[^;:\r\n]*)", re.I)
_ESCAPABLE = set("\\;,\r\n")
_KELVIN = "\u212a".encode()  # lower-cases to ASCII "k": the only such character


@dataclass
class RawComponent:
    """One top-level component as bytes of the unfolded text."""

    name: str
    start: int
    end: int
    uid: str | None = None  # None: no UID property
    summary: bytes = b""
    tzids: set[str] = field(default_factory=set)  # used (events) or defined (VTIMEZONE)


@dataclass
class RawCalendar:
    text: bytes  # unfolded
    components: list[RawComponent]
    header: bytes  # the VCALENDAR's own property lines


def _unescape(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    if "\\" in text:
        from icalendar.prop import vText

        text = str(vText.from_ical(text))
    return text.strip()


def scan_calendar(data: bytes, name: str) -> RawCalendar:
    """Components of the first VCALENDAR in ``data``; raises SourceError if there is none."""
    text = _UNFOLD.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    components: list[RawComponent] = []
    header: list[bytes] = []
    stack: list[str] = []  # open component names; END closes the innermost of its name, a stray END is ignored
    current: RawComponent | None = None
    nested: list[tuple[int, int]] = []  # spans of sub-components (VALARM …) of the current one
    nested_start = gap_start = 0
    opened = False
    for match in _BOUNDARY.finditer(text):
        kind, value = match.group(1).upper(), match.group(2).strip().upper().decode("ascii", "replace")
        if not stack:
            if kind == b"BEGIN" and value == "VCALENDAR":
                stack, gap_start, opened = ["VCALENDAR"], match.end(), True
                continue
            raise SourceError(f"{name}: not a valid iCalendar file (it does not start with BEGIN:VCALENDAR); check that it is an .ics export")
        if kind == b"BEGIN":
            if value:
                stack.append(value)
                if len(stack) == 2:
                    header.append(text[gap_start:match.start()])
                    current, nested = RawComponent(value, match.start(), match.end()), []
                elif len(stack) == 3:
                    nested_start = match.start()
            continue
        if value not in stack:
            continue
        while stack.pop() != value:
            pass
        if not stack:
            header.append(text[gap_start:match.start()])
            return RawCalendar(text, components, b"".join(header))
        if len(stack) == 1 and current is not None:
            line_end = text.find(b"\n", match.end())
            current.end = len(text) if line_end < 0 else line_end + 1
            _read_properties(text, current, nested)
            components.append(current)
            current, gap_start = None, current.end
        elif len(stack) == 2:
            nested.append((nested_start, match.end()))
    if not opened:
        raise SourceError(f"{name}: not a valid iCalendar file (no BEGIN:VCALENDAR); check that it is an .ics export")
    raise SourceError(f"{name}: not a valid iCalendar file (it ends before END:VCALENDAR: a truncated download?); try again later")


def _read_properties(text: bytes, component: RawComponent, nested: list[tuple[int, int]]) -> None:
    """The UID; summary and TZIDs wait for ``details`` (most components are never looked at again)."""
    for match in _UID.finditer(text, component.start, component.end):
        if not any(a <= match.start() < b for a, b in nested):
            component.uid = _unescape(match.group(1))
            return


def details(text: bytes, component: RawComponent) -> RawComponent:
    """Fill in the summary and the TZIDs used (events) or defined (VTIMEZONE) of one component."""
    if component.tzids or component.summary:
        return component
    for match in _PROPERTY.finditer(text, component.start, component.end):
        prop, value = match.group(1).upper(), match.group(3)
        if prop == b"SUMMARY" and not component.summary:
            component.summary = value
        elif prop == b"TZID" and component.name == "VTIMEZONE":
            component.tzids.add(_unescape(value).strip("/"))
    if component.name != "VTIMEZONE":
        for match in _TZID_PARAM.finditer(text, component.start, component.end):
            component.tzids.add(match.group(1).strip(b'"').decode("utf-8", "replace").strip("/"))
    return component


@dataclass(frozen=True)
class EventFilter:
    """Which events can matter: the ``[match]`` matchers plus cue words (e.g. of a suggestion detector)."""

    match: MatchSettings
    cues: frozenset[str] = frozenset()

    @property
    def needles(self) -> tuple[str, ...]:
        words = [*self.match.tags, *self.match.application_tags, *self.match.categories, *self.cues]
        return tuple(dict.fromkeys(w.lower() for w in words if w))

    def keeps_everything(self) -> bool:
        """True when raw text cannot decide: a needle with a character that .ics text escapes, or no needle at all."""
        return any(set(n) & _ESCAPABLE for n in self.needles) or not self.needles and not self.match.summary_regex

    def keeps(self, raw: bytes, summary: bytes) -> bool:
        """Can an event with this raw (unfolded) text be matched? Never False for one that can."""
        return self.keeps_any(raw, [_Span(0, len(raw), summary)])[0]

    def keeps_any(self, text: bytes, spans: list["_Span"]) -> list[bool]:
        """``keeps`` for many spans of one text: ASCII needles are found once in the whole text."""
        ascii_exact = _KELVIN not in text
        fast = [n.encode() for n in self.needles if n.isascii() and ascii_exact]
        slow = [n for n in self.needles if not (n.isascii() and ascii_exact)]
        folded = text.lower()  # bytes: ASCII only, so positions stay put
        hits: list[int] = []
        for needle in fast:
            at = folded.find(needle)
            while at >= 0:
                hits.append(at)
                at = folded.find(needle, at + 1)
        hits.sort()
        pattern = self.match.summary_pattern
        result = []
        for span in spans:
            i = bisect.bisect_left(hits, span.start)
            keep = i < len(hits) and hits[i] < span.end
            if not keep and slow:
                lowered = text[span.start:span.end].decode("utf-8", "replace").lower()
                keep = any(n in lowered for n in slow)
            if not keep and pattern is not None:
                keep = pattern.search(_unescape(span.summary()) if callable(span.summary) else _unescape(span.summary)) is not None
            result.append(keep)
        return result


@dataclass
class _Span:
    start: int
    end: int
    summary: object  # bytes, or a function giving them (read only when a summary regex needs them)


def select(raw: RawCalendar, keep: EventFilter | None) -> tuple[list[RawComponent], list[RawComponent]]:
    """(kept events and their UID siblings, the VTIMEZONEs they use), in file order."""
    events = [c for c in raw.components if c.name != "VTIMEZONE"]
    zones = [details(raw.text, c) for c in raw.components if c.name == "VTIMEZONE"]
    if keep is None or keep.keeps_everything():
        return [details(raw.text, c) for c in events], zones
    vevents = [c for c in events if c.name == "VEVENT"]
    spans = [_Span(c.start, c.end, lambda c=c: details(raw.text, c).summary) for c in vevents]
    wanted = {c.uid for c, kept in zip(vevents, keep.keeps_any(raw.text, spans)) if kept}
    kept = [details(raw.text, c) for c in events if c.uid in wanted]
    used = {tzid for c in kept for tzid in c.tzids}
    return kept, [z for z in zones if z.tzids & used]


def assemble(raw: RawCalendar, components: Iterable[RawComponent], zones: bytes = b"") -> bytes:
    """A calendar of the header, the time zones and these components, for icalendar."""
    parts = [b"BEGIN:VCALENDAR\r\n", raw.header, b"\r\n", zones]
    parts.extend(raw.text[c.start:c.end] for c in components)
    parts.append(b"\r\nEND:VCALENDAR\r\n")
    return b"".join(parts)
