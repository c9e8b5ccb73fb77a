"""Values that flow through the pure core: source events, interviews, follow-ups."""
from __future__ import annotations

import base64
import datetime as dt
import enum
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


class Kind(str, enum.Enum):
    THANK_YOU = "thank_you"
    CHECK_IN = "check_in"
    SECOND_CHECK_IN = "second_check_in"
    FEEDBACK_REQUEST = "feedback_request"
    APPLICATION_FOLLOW_UP = "application_follow_up"


class Channel(str, enum.Enum):
    EMAIL = "email"
    CALL = "call"


class OutcomeKind(str, enum.Enum):
    RESPONDED = "responded"
    REJECTED = "rejected"
    FORM_REJECTION = "form-rejection"
    OFFER = "offer"
    WITHDRAWN = "withdrawn"

    @classmethod
    def parse(cls, text: str) -> "OutcomeKind":
        """Accept 'form rejection', 'form_rejection', 'Form-Rejection' and the like."""
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        return cls(key)


class EventKind(str, enum.Enum):
    INTERVIEW = "interview"
    APPLICATION = "application"


def _require_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = ""  # upper-case iCalendar PARTSTAT, e.g. "DECLINED"
    is_me: bool = False  # the source says this attendee is the calendar's owner


@dataclass(frozen=True)
class SourceEvent:
    """One calendar event (or one occurrence of a series) as a source delivered it."""

    uid: str  # identity used in plans; for occurrences "UID@YYYYMMDDTHHMMSSZ"
    summary: str
    description: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool = False
    categories: tuple[str, ...] = ()
    cancelled: bool = False
    organizer: Attendee | None = None
    attendees: tuple[Attendee, ...] = ()
    color_id: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        _require_aware("start", self.start)
        _require_aware("end", self.end)


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    at: dt.datetime

    def __post_init__(self) -> None:
        _require_aware("at", self.at)


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Interview:
    """An interview or a job application, with everything read from its text."""

    uid: str
    kind: EventKind
    summary: str
    start: dt.datetime  # in the user's zone
    end: dt.datetime  # in the user's zone ("E" of the spec)
    no_calls: bool = False
    deadline: dt.date | None = None
    outcomes: tuple[Outcome, ...] = ()
    contact: Contact = field(default_factory=Contact)
    company: str = ""
    role: str = ""
    region: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        _require_aware("start", self.start)
        _require_aware("end", self.end)


@dataclass(frozen=True)
class FollowUp:
    kind: Kind
    interview: str
    start: dt.datetime
    end: dt.datetime
    due: dt.datetime
    channel: Channel
    summary: str = ""
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("start", "end", "due"):
            _require_aware(name, getattr(self, name))
        if not self.start < self.end:
            raise ValueError(f"follow-up {self.kind.value} for {self.interview}: start must precede end")

    @property
    def key(self) -> tuple[str, str]:
        """Stable identity across plans: one follow-up of a kind per interview."""
        return (self.interview, self.kind.value)

    @functools.cached_property
    def id(self) -> str:
        """Deterministic ID (base32hex, valid as a Google event ID) from source, interview and kind."""
        return followup_id(self.source, self.interview, self.kind)


def followup_id(source: str, interview: str, kind: Kind) -> str:
    digest = hashlib.sha256(f"{source}\x1f{interview}\x1f{kind.value}".encode()).digest()[:20]
    return base64.b32hexencode(digest).decode().lower().rstrip("=")


@dataclass(frozen=True)
class Plan:
    followups: tuple[FollowUp, ...]
    missed: tuple[FollowUp, ...] = ()


@dataclass(frozen=True)
class Seen:
    """When calsync first saw interviews and undated outcomes; ``now`` for anything new."""

    now: dt.datetime
    interviews: Mapping[str, dt.datetime]
    outcomes: Mapping[tuple[str, str], dt.datetime]

    def interview(self, uid: str) -> dt.datetime:
        return self.interviews.get(uid, self.now)

    def outcome(self, uid: str, kind: OutcomeKind) -> dt.datetime:
        return self.outcomes.get((uid, kind.value), self.now)
