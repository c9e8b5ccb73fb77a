"""The parts of the configuration the pure core needs, as plain frozen values."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from calsync.core.model import Channel
from calsync.core.user_pattern import UserPattern, compile_user_pattern


@dataclass(frozen=True)
class MatchSettings:
    tags: tuple[str, ...] = ("#interview",)
    categories: tuple[str, ...] = ("interview",)
    summary_regex: str = ""
    color_ids: tuple[str, ...] = ()
    application_tags: tuple[str, ...] = ("#applied",)
    auto: str = "suggest"  # untagged events that read like interviews: "suggest", "plan" or "off"
    auto_threshold: float = 0.9  # under "plan", suggestions scoring this or more are planned directly

    @property
    def summary_pattern(self) -> UserPattern | None:
        """The regex, run in bounded time; None when empty (configuration reports an unusable one)."""
        if not self.summary_regex:
            return None
        try:
            return compile_user_pattern(self.summary_regex)
        except ValueError:
            return None


@dataclass(frozen=True)
class BusinessSettings:
    region: str = "US"
    calendar: str = "holidays"
    start: dt.time = dt.time(9, 0)
    close: dt.time = dt.time(17, 0)
    extra_holidays: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class RuleSettings:
    same_day_cutoff: dt.time | None = None  # None: close of business minus two hours
    check_in_time: dt.time = dt.time(10, 0)
    check_in_wait_business_days: int = 5
    check_in_channel: Channel = Channel.CALL
    application_wait_business_days: int = 5
    second_check_in_business_days: int = 3


@dataclass(frozen=True)
class DraftSettings:
    """User templates (str.format fields: name, company, role, date, interview)."""

    signature: str = ""
    templates: tuple[tuple[str, str], ...] = ()  # (kind, body)

    def template(self, kind: str) -> str | None:
        return dict(self.templates).get(kind)


@dataclass(frozen=True)
class PlanSettings:
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    me: tuple[str, ...] = ()
    match: MatchSettings = field(default_factory=MatchSettings)
    business: BusinessSettings = field(default_factory=BusinessSettings)
    rules: RuleSettings = field(default_factory=RuleSettings)
    drafts: DraftSettings = field(default_factory=DraftSettings)

    @property
    def cutoff(self) -> dt.time:
        if self.rules.same_day_cutoff is not None:
            return self.rules.same_day_cutoff
        close = dt.datetime.combine(dt.date(2000, 1, 1), self.business.close)
        return (close - dt.timedelta(hours=2)).time()
