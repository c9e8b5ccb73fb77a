"""A raw scan of an .ics file: component boundaries, UIDs, TZIDs, and which events can matter.

icalendar is slow, and most of a real calendar is meetings that no matcher can hit. The scan
finds every top-level component's bytes without parsing them, so the parser only sees the
events whose text can match (plus every component sharing their UID and the time zones they
use). The keep-test is a superset of the matchers in ``calsync.core.detect`` and of what the
suggestion detector scores at all (every word of one of its cues): substring tests on the lower-cased
raw text, which only ever keep too much. Text that is not plain ASCII or may be HTML is read slowly,
as the detector reads it.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from calsync.core.html_text import html_to_text
from calsync.core.settings import MatchSettings
from calsync.errors import SourceError

# The same unfolding icalendar does (icalendar.parser.content_line.UFOLD), on bytes.
_UNFOLD = re.compile(rb"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
_BOUNDARY = re.compile(rb"^[ \t]*(BEGIN|END)[ \t]*:[ \t]*([^\r\n]*)", re.M | re.I)
_PROPERTY = re.compile(rb"^(UID|SUMMARY|TZID)((?:;[^:\r\n]*)?):([^\r\n]*)", re.M | re.I)
_UID = re.compile(rb"^UID(?:;[^:\r\n]*)?:([^\r\n]*)", re.M | re.I)
_TZID_PARAM = re.compile(rb";TZID=(\"[^\"\r\n]*\"|[^;:\r\n]*)", re.I)
_ESCAPABLE = set("\\;,:\r\n")  # a word with one of these may be spelled otherwise in raw text


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


def unfold(data: bytes) -> bytes:
    """``_UNFOLD.sub(b"", data)``, by plain replacing when every line ends alike and none is blank (10× faster)."""
    if b"\n\n" not in data and b"\n\r\n" not in data:
        crlf, lf, cr = data.count(b"\r\n"), data.count(b"\n"), data.count(b"\r")
        if crlf == lf == cr:  # a replacement joins two lines; a new fold could only form across a bare CR or LF, or a blank line
            return data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
        if cr == 0:
            return data.replace(b"\n ", b"").replace(b"\n\t", b"")
    return _UNFOLD.sub(b"", data)


def as_utf8_lines(data: bytes) -> bytes:
    """UTF-8 with LF or CRLF line ends: a UTF-16 export (it starts with its byte-order mark) is re-encoded,
    and a file whose lines end in a bare CR (classic Mac) gets CRLF."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", "replace").encode("utf-8")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\r\n")
    return data


def scan_calendar(data: bytes, name: str) -> RawCalendar:
    """Components of the first VCALENDAR in ``data``; raises SourceError if there is none."""
    text = unfold(as_utf8_lines(data))
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
    """Which events can matter: the ``[match]`` matchers plus cues (e.g. of a suggestion detector).

    A matcher word must be in an event's text; a cue is words separated by spaces, all of which must be
    in the text (anywhere, in any order: ``phone screen`` keeps an event that says "phone" and "screen").
    """

    match: MatchSettings
    cues: frozenset[str] = frozenset()

    @property
    def needles(self) -> tuple[str, ...]:
        words = [*self.match.tags, *self.match.application_tags, *self.match.categories]
        return tuple(dict.fromkeys(w.lower() for w in words if w))

    @cached_property
    def _cue_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple(dict.fromkeys(tuple(dict.fromkeys(c.casefold().split())) for c in sorted(self.cues) if c.split()))

    def keeps_everything(self) -> bool:
        """True when raw text cannot decide: a word with a character that .ics text escapes, or nothing to look for."""
        words = [*self.needles, *(w for cue in self._cue_words for w in cue)]
        return any(set(w) & _ESCAPABLE for w in words) or not words and not self.match.summary_regex

    def keeps(self, raw: bytes, summary: bytes) -> bool:
        """Can an event with this raw (unfolded) text be matched? Never False for one that can."""
        return self.keeps_any(raw, [0], [len(raw)], lambda _: summary)[0]

    @cached_property
    def _ascii_lookup(self) -> "_Needles":
        """Plain text: needle → None (a matcher word: keep) or a cue whose other words must be there too.

        Only plain-ASCII words: an event whose text is not plain ASCII takes the slow path.
        """
        lookup: dict[bytes, list[tuple[bytes, ...] | None]] = {}
        for needle in self.needles:
            if needle.isascii():
                lookup.setdefault(needle.encode(), []).append(None)
        for cue in self._cue_words:
            if all(w.isascii() for w in cue):
                words = tuple(w.encode() for w in sorted(cue, key=len, reverse=True))
                lookup.setdefault(words[0], []).append(words)
        return _Needles(lookup)

    @cached_property
    def _slow_lookup(self) -> "_Needles":
        """Any text: the longest ASCII stretch of a matcher word or cue → the words that must all be there."""
        lookup: dict[bytes, list[tuple[str, ...] | None]] = {}
        for words in [*((n,) for n in self.needles), *self._cue_words]:
            key = max((run for w in words for run in re.findall(r"[\x00-\x7f]+", w)), key=len, default="")
            lookup.setdefault(key.encode(), []).append(tuple(sorted(words, key=len, reverse=True)))
        return _Needles(lookup)

    def keeps_any(self, text: bytes, starts: list[int], ends: list[int], summary: Callable[[int], bytes]) -> list[bool]:
        """``keeps`` for the spans ``text[starts[i]:ends[i]]`` (sorted, disjoint), read in one pass."""
        folded = text.lower()  # bytes: ASCII only, so positions stay put
        lookup = self._ascii_lookup
        touched: dict[int, set[bytes]] = {}
        for at, needles in lookup.occurrences(folded):
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0 and at < ends[i]:  # no needle crosses a span's edge: none has a line break
                touched.setdefault(i, set()).update(needles)
        result = [False] * len(starts)
        for i, needles in touched.items():
            result[i] = lookup.keeps(folded[starts[i]:ends[i]], needles)
        for i in _spans_with(_NOT_PLAIN, text, starts, ends):
            if not result[i]:
                result[i] = self._keeps_slowly(text[starts[i]:ends[i]])
        pattern = self.match.summary_pattern
        if pattern is not None:
            for i, kept in enumerate(result):
                if not kept:
                    result[i] = pattern.search(_unescape(summary(i))) is not None
        return result

    def _keeps_slowly(self, raw: bytes) -> bool:
        """Text that is not plain ASCII (letters that fold to ASCII: KELVIN SIGN, "ſ", "ﬁ" …) or may be HTML
        (tags join the words around them, entities spell letters): read as the detector and the matchers read it."""
        readings = _readings(raw)
        if readings is None:
            return True
        lookup = self._slow_lookup
        found = {n for _, needles in lookup.occurrences(readings.encode()) for n in needles}
        if b"" in lookup.meanings:  # words with no ASCII letter to look for: checked every time
            found.add(b"")
        return lookup.keeps(readings, found)


class _Needles:
    """Needles and what each means, found in one pass: every position where one starts, all that start there."""

    def __init__(self, meanings: dict[bytes, list]) -> None:
        self.meanings = meanings
        keys = sorted((k for k in meanings if k), key=len, reverse=True)
        # At a position the longest needle there is found; the others there are in it, as is every needle in it.
        self.within = {k: {n for n in keys if n in k} for k in keys}
        self.pattern = _compiled(b"|".join(re.escape(k) for k in keys)) if keys else None

    def occurrences(self, text: bytes) -> Iterable[tuple[int, set[bytes]]]:
        """(position, the needles there and inside the longest one) for every position where a needle starts."""
        pos = 0
        while self.pattern is not None and (match := self.pattern.search(text, pos)) is not None:  # type: ignore[attr-defined]
            yield match.start(), self.within[match.group()]
            pos = match.start() + 1

    def keeps(self, inside: bytes | str, needles: Iterable[bytes]) -> bool:
        """Does one of ``needles`` (all in ``inside``) mean keep: a matcher word, or a cue with every word there?"""
        return any(words is None or all(w in inside for w in words) for n in needles for words in self.meanings[n])


_LINE = re.compile(r"[^\r\n]+")


def _compiled(pattern: bytes) -> object:
    """``pattern`` on RE2 (linear time), reading bytes as bytes; Python's engine where RE2 is missing."""
    try:
        import re2
    except ImportError:  # pragma: no cover - a platform without google-re2 wheels
        return re.compile(pattern)
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile(pattern, options)


_NOT_PLAIN = _compiled(rb"[\x80-\xff<&]")  # a byte outside ASCII, or what may be HTML: the slow path


def _spans_with(pattern: object, text: bytes, starts: list[int], ends: list[int]) -> Iterable[int]:
    """Indexes of the spans in which ``pattern`` (one byte long) is found: one search per span at most."""
    pos = 0
    while (match := pattern.search(text, pos)) is not None:  # type: ignore[attr-defined]
        at = match.start()
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and at < ends[i]:
            yield i
            pos = ends[i]
        elif i + 1 < len(starts):
            pos = starts[i + 1]
        else:
            return


def _readings(raw: bytes) -> str | None:
    """The event's text lower-cased and case-folded, with each line's value also read as HTML; None: cannot tell."""
    decoded = raw.decode("utf-8", "replace")
    parts = [decoded]
    if "<" in decoded or "&" in decoded:
        for line in _LINE.findall(decoded):
            if "<" not in line and "&" not in line:
                continue
            colon = line.find(":")
            if colon < 0:
                continue
            if '"' in line[:colon] or "\\" in line[:colon]:
                return None  # where the value starts needs icalendar's reading
            parts.append(html_to_text(_UNESCAPE.sub(_unescaped, line[colon + 1:])))
    text = "\n".join(parts)
    return f"{text.lower()}\n{text.casefold()}"


_UNESCAPE = re.compile(r"\\([\\,;:nN])")  # what icalendar undoes in a TEXT value


def _unescaped(match: re.Match[str]) -> str:
    return "\n" if match.group(1) in "nN" else match.group(1)


def select(raw: RawCalendar, keep: EventFilter | None) -> tuple[list[RawComponent], list[RawComponent]]:
    """(kept events and their UID siblings, the VTIMEZONEs they use), in file order."""
    events = [c for c in raw.components if c.name != "VTIMEZONE"]
    zones = [details(raw.text, c) for c in raw.components if c.name == "VTIMEZONE"]
    if keep is None or keep.keeps_everything():
        return [details(raw.text, c) for c in events], zones
    vevents = [c for c in events if c.name == "VEVENT"]
    kept_flags = keep.keeps_any(raw.text, [c.start for c in vevents], [c.end for c in vevents],
                                lambda i: details(raw.text, vevents[i]).summary)
    wanted = {c.uid for c, kept in zip(vevents, kept_flags) if kept}
    kept = [details(raw.text, c) for c in events if c.uid in wanted]
    used = {tzid for c in kept for tzid in c.tzids}
    return kept, [z for z in zones if z.tzids & used]


def assemble(raw: RawCalendar, components: Iterable[RawComponent], zones: bytes = b"") -> bytes:
    """A calendar of the header, the time zones and these components, for icalendar."""
    parts = [b"BEGIN:VCALENDAR\r\n", raw.header, b"\r\n", zones]
    parts.extend(raw.text[c.start:c.end] for c in components)
    parts.append(b"\r\nEND:VCALENDAR\r\n")
    return b"".join(parts)
