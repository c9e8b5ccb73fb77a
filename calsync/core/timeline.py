"""The recruiter's stated timeline (rule 4): when the user will hear back, read from the event text.

A date counts only as the object of a phrase about hearing back ("we'll be in touch by Friday",
"you'll hear back in 1-2 weeks", "By Dec 4 we will decide"). Other dates — a start date, an
offer, the user's own homework, the interview's own day — are not timelines. Reading is line
by line and clause by clause with bounded windows: linear in the length of the text.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator

from calsync.core.dates import AddBusinessDays, date_matches, normalize, resolve

_EXPLICIT = re.compile(r"[-*•>· ]*(?:decision by|deadline|hear back by|follow[- ]?up after) ?: ?")
_CLAUSE_END = re.compile(r"[;!?]+|\.(?= |$)| [•·] ")
# A period after these ends no sentence ("Dec. 4", "on Thu. at 10").
_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun "
    "mr mrs ms dr st approx vs etc e.g i.e no".split()
)
_TRIGGER = re.compile(
    r"(?<![\w-])(?:"
    r"(?:be|get|keep|stay) in (?:touch|contact)|in touch|get back to|come back to|"
    r"hear back|heard back|hear from|follow[- ]?up|reach out|let (?:you|u) know|"
    r"decisions?|decide[sd]?|deciding|next steps?|respond|an update|update you"
    r")(?!\w)"
)
# A timeline phrase the user is asked to act on ("please follow up with your references") is homework.
_ASKING = frozenset({"please", "kindly", "pls"})
# Words that show the date belongs to something else: a start date, an offer, the user's homework.
_OTHER_SUBJECT = frozenset(
    "start starts starting started begin begins beginning joining onboarding offer offers "
    "send sending submit submitting complete completing return returning sign signing provide providing "
    "upload uploading prepare preparing fill please kindly".split()
)
_LEAD_WORDS = frozenset("by on until till before around sometime no later than at the latest".split())
_WORDS_NOT_WEEKDAYS = frozenset({"sat", "sun", "wed"})
_FULL_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_NAMED_DATES = frozenset({"iso", "md", "dm"})
WINDOW = 240  # characters after a timeline phrase in which its date is looked for
MAX_GAP = 8  # words allowed between the phrase and its date
LEAD = 60  # characters at the opening of a clause where a date may come before its phrase
# Between two dates of one phrase ("by Friday or at the latest within two weeks") only these words.
_CHAINING = frozenset("or and at the latest by on until till before no later than in any case but maybe perhaps".split())


def _words(text: str) -> list[str]:
    return [w.strip(",.:()\"'") for w in text.split()]


def _unrelated(gap: str) -> bool:
    words = _words(gap)
    return len(words) > MAX_GAP or any(w in _OTHER_SUBJECT for w in words)


def _chained(gap: str) -> bool:
    """Only linking words or punctuation between two dates of one phrase ("by Wed, Dec 9")."""
    words = [w for w in _words(gap.replace("/", " ")) if w]
    return all(w in _CHAINING for w in words) and (bool(words) or gap.strip() in ("", ",", "/"))


def _clauses(flat: str) -> Iterator[str]:
    """A line cut into sentences and clauses (at ``;``, ``!``, ``?``, bullets and sentence-ending periods)."""
    start = 0
    for m in _CLAUSE_END.finditer(flat):
        if m.group() == "." and flat[max(0, m.start() - 6):m.start()].rsplit(" ", 1)[-1].lower() in _ABBREVIATIONS:
            continue
        yield flat[start:m.start()]
        start = m.end()
    yield flat[start:]


def _asked_of_user(clause: str, trigger_start: int) -> bool:
    segment = clause[max(0, trigger_start - 40):trigger_start]
    if not any(word in segment for word in ("please", "kindly", "pls", "you")):
        return False
    before = _words(segment)[-3:]
    return any(w in _ASKING for w in before) or before[-2:] in (["can", "you"], ["could", "you"], ["would", "you"])


def _acceptable(kind: str, m: re.Match[str], gap: str) -> bool:
    """A weekday needs "by", "on", "next"…, or its full name right after the phrase ("sat" is not Saturday)."""
    if kind != "wd" or m.group("wd_prep") or m.group("wd_next"):
        return True
    return not gap.strip() and m.group("wd_name") in _FULL_WEEKDAYS


def _chained_weekday(kind: str, m: re.Match[str]) -> bool:
    """A bare weekday after another date of the phrase ("by Wednesday or Thursday"), unless an English word."""
    return kind == "wd" and m.group("wd_name") not in _WORDS_NOT_WEEKDAYS


Found = list[tuple[str, re.Match[str]]]


def _after_phrase(clause: str, end: int, dates: Found, first: int) -> Iterator[tuple[str, re.Match[str]]]:
    """The dates that are the object of the phrase ending at ``end``: the first, and any chained to it.

    ``dates`` are the clause's date expressions in order; ``first`` is the index of the first one
    starting at or after ``end``.
    """
    anchor = end
    for index in range(first, len(dates)):
        kind, m = dates[index]
        if m.start() > end + WINDOW:
            return
        gap = clause[anchor:m.start()]
        if _unrelated(gap) or (anchor > end and not _chained(gap)):
            return
        if _acceptable(kind, m, gap) or (anchor > end and _chained_weekday(kind, m)):
            yield kind, m
            anchor = m.end()


def _leading(clause: str, dates: Found, triggers: list[re.Match[str]]) -> Iterator[tuple[str, re.Match[str]]]:
    """A date opening the clause, before its phrase: "By Friday, we'll let you know"."""
    if not dates or dates[0][1].start() > LEAD:
        return
    kind, m = dates[0]
    if any(w not in _LEAD_WORDS for w in _words(clause[:m.start()])) or not _acceptable(kind, m, "x"):
        return
    later = next((t for t in triggers if t.start() >= m.end()), None)
    if later is not None and not _unrelated(clause[m.end():later.start()]):
        yield kind, m


def _windows(triggers: list[re.Match[str]], size: int) -> Iterator[tuple[int, int]]:
    """The stretches where dates are looked for (the clause's opening, after each phrase), merged:
    each character is matched once at most, however many phrases the clause holds."""
    spans = [(0, LEAD)] + [(t.end(), t.end() + WINDOW) for t in triggers]
    start, stop = spans[0]
    for a, b in spans[1:]:
        if a > stop:
            yield start, min(stop, size)
            start = a
        stop = max(stop, b)
    yield start, min(stop, size)


def _clause_dates(clause: str, day: dt.date, add_business_days: AddBusinessDays) -> Iterator[dt.date]:
    triggers = [t for t in _TRIGGER.finditer(clause) if not _asked_of_user(clause, t.start())]
    if not triggers:
        return
    dates = [found for a, b in _windows(triggers, len(clause)) for found in date_matches(clause, a, b)]
    starts = [m.start() for _, m in dates]
    found = list(_leading(clause, dates, triggers))
    for trigger in triggers:
        found.extend(_after_phrase(clause, trigger.end(), dates, bisect.bisect_left(starts, trigger.end())))
    for kind, m in dict.fromkeys(found):
        resolved = resolve(kind, m, day, add_business_days)
        # A date naming the interview's own day (or an earlier one) is not a timeline; a relative one
        # is: "by end of week" said on a Friday means that Friday.
        if resolved is not None and (resolved > day or kind not in _NAMED_DATES):
            yield resolved


def stated_deadline(text: str, day: dt.date, add_business_days: AddBusinessDays) -> dt.date | None:
    """The recruiter's stated deadline: explicit lines win, else timeline phrases; the latest counts."""
    explicit: list[dt.date] = []
    phrased: list[dt.date] = []
    for line in text.splitlines():
        flat = " ".join(line.split())
        if not flat:
            continue
        head = _EXPLICIT.match(flat.lower())
        if head is not None:
            lowered = flat.lower()
            for kind, m in date_matches(lowered, head.end()):
                resolved = resolve(kind, m, day, add_business_days)
                if resolved is not None:
                    explicit.append(resolved)
            continue
        if explicit:
            continue
        for clause in _clauses(flat):
            phrased.extend(_clause_dates(normalize(clause), day, add_business_days))
    if explicit:
        return max(explicit)
    return max(phrased, default=None)
