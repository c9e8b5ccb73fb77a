"""A hypothesis state machine over the whole pipeline: interviews come and go, sources fail, calsync restarts."""
import datetime as dt
import os
import shutil
import tempfile
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from calsync.config import build_config
from calsync.core.model import OutcomeKind
from calsync.runtime import feed_path, open_runtime
from tests.conftest import calendar, examples, vevent

LA = ZoneInfo("America/Los_Angeles")
UIDS = [f"iv{i}" for i in range(6)]


class Pipeline(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="calsync-machine-")
        self.ics = os.path.join(self.dir, "cal.ics")
        self.config = build_config({"timezone": "America/Los_Angeles", "state_dir": os.path.join(self.dir, "state"),
                                    "sources": [{"name": "cal", "path": self.ics}]})
        self.now = dt.datetime(2026, 11, 20, 9, tzinfo=LA)
        self.live: dict[str, tuple[int, int, bool]] = {}  # uid -> (day, hour, cancelled)
        self.broken = False
        self.sequences: dict[str, int] = {}
        self.last_good_uids: set[str] = set()
        self.removal_pending = False  # an outcome or a refused removal that no healthy, complete pass has applied yet
        self._write()
        self.runtime = open_runtime(self.config)

    def teardown(self):
        self.runtime.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _write(self):
        if self.broken:
            with open(self.ics, "w") as handle:
                handle.write("BEGIN:VCALENDAR\nthis is broken")
            return
        events = [vevent(uid, f"202612{day:02d}T{hour:02d}0000", f"202612{day:02d}T{hour + 1:02d}0000",
                         extra="STATUS:CANCELLED" if cancelled else "") for uid, (day, hour, cancelled) in sorted(self.live.items())]
        with open(self.ics, "wb") as handle:
            handle.write(calendar(*events))

    @rule(uid=st.sampled_from(UIDS), day=st.integers(1, 28), hour=st.integers(8, 17))
    def add_or_reschedule(self, uid, day, hour):
        self.live[uid] = (day, hour, False)
        self._write()

    @rule(uid=st.sampled_from(UIDS))
    def cancel(self, uid):
        if uid in self.live:
            day, hour, _ = self.live[uid]
            self.live[uid] = (day, hour, True)
            self._write()

    @rule(uid=st.sampled_from(UIDS), kind=st.sampled_from(list(OutcomeKind)))
    def record_outcome(self, uid, kind):
        self.runtime.store.mark(uid, kind, self.now, self.now)
        self.removal_pending = True  # it may remove check-ins at the next pass, even if the source fails by then

    @rule(broken=st.booleans())
    def source_breaks_or_heals(self, broken):
        self.broken = broken
        self._write()

    @rule()
    def restart(self):
        self.runtime.store.close()
        self.runtime = open_runtime(self.config)

    @rule(hours=st.integers(0, 30), force=st.booleans())
    def tick(self, hours, force):
        self.now += dt.timedelta(hours=hours)
        report = self.runtime.engine.tick(self.now, force=force, poll_all=True)
        events = self._events()
        uids = [str(e["UID"]) for e in events]
        assert len(uids) == len(set(uids)), "two events with one UID"
        for event in events:
            uid, seq = str(event["UID"]), int(event["SEQUENCE"])
            assert seq >= self.sequences.get(uid, 0), "SEQUENCE went down"
            self.sequences[uid] = seq
        interviews = {str(e["X-CALSYNC-INTERVIEW"]) for e in events}
        if self.broken:
            # Only an outcome the user recorded (or a removal refused earlier, now forced) may remove anything
            # while the source fails.
            assert report.deleted == 0 or self.removal_pending, "a failing source deleted something"
            assert interviews >= self.last_good_uids
        else:
            cancelled = {uid for uid, (_, _, c) in self.live.items() if c}
            if not report.refused:
                assert not interviews & cancelled, "published a follow-up for a cancelled interview"
            self.last_good_uids = interviews
        if report.refused:
            self.removal_pending = True
        elif not self.broken:
            self.removal_pending = False

    def _events(self):
        path = feed_path(self.config)
        if not path.exists():
            return []
        return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))

    @invariant()
    def state_is_sound(self):
        assert self.runtime.store.integrity_ok()


Pipeline.TestCase.settings = settings(max_examples=int(os.environ.get("CALSYNC_MACHINE_EXAMPLES", examples(40))), stateful_step_count=20)
TestPipeline = Pipeline.TestCase
