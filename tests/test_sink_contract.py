"""One contract, every sink: the feed, Google Calendar (against the fake) and CalDAV (a real Radicale, a real Xandikos) behave alike."""
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calsync.core.model import Channel, FollowUp, Kind
from calsync.core.reconcile import Ownership, content_hash, reconcile
from calsync.google.sink import GoogleCalendarSink
from calsync.google.client import build_service
from calsync.google.auth import load_credentials
from calsync.ics.feed import IcsFeed
from calsync.ics.text import FeedStyle
from calsync.state import StateStore
from tests.fake_google import FakeGoogle, serve_fake
from tests.google.conftest import google_config
from tests.caldav.conftest import caldav_config
from tests.caldav.radicale_server import Radicale
from tests.caldav.xandikos_server import Xandikos

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 25, tzinfo=LA)


def followup(n, summary="Send thank-you note"):
    start = dt.datetime(2026, 12, 1 + n, 10, tzinfo=LA)
    return FollowUp(Kind.THANK_YOU, f"iv{n}", start, start + dt.timedelta(minutes=30), start.replace(hour=17), Channel.EMAIL,
                    f"{summary} {n}", "Hi,\n\nThank you.", "cal")


class FeedHarness:
    def __init__(self, tmp_path):
        self.store = StateStore(tmp_path / "state.sqlite3", LA)
        self.path = tmp_path / "followups.ics"
        self.sink = IcsFeed(self.store, self.path, "America/Los_Angeles", "Follow-ups", FeedStyle(), 3600)

    def published(self):
        if not self.path.exists():
            return {}
        return {str(e["UID"]).split("@")[0]: str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(self.path.read_bytes()).walk("VEVENT")}

    def close(self):
        self.store.close()


class GoogleHarness:
    def __init__(self, tmp_path):
        self.fake = FakeGoogle()
        self.server, endpoint = serve_fake(self.fake)
        config = google_config(tmp_path, endpoint, sources=[{"name": "cal", "path": str(tmp_path / "x.ics")}])
        self.store = StateStore(tmp_path / "state.sqlite3", LA)
        self.sink = GoogleCalendarSink(config, self.store, lambda: build_service(config, load_credentials(config)), base_delay=0.001)

    def published(self):
        if not self.sink.calendar_id:
            return {}
        return {e["id"]: e["summary"] for e in self.fake.live_events(self.sink.calendar_id)}

    def close(self):
        self.store.close()
        self.server.shutdown()
        self.server.server_close()


class CaldavHarness:
    server_class = Radicale

    def __init__(self, tmp_path):
        from calsync.caldav.sink import make_caldav_sink

        self.server = self.server_class(tmp_path / self.server_class.name)
        config = caldav_config(tmp_path, self.server)
        self.store = StateStore(tmp_path / "state.sqlite3", LA)
        self.sink = make_caldav_sink(config, self.store)

    def published(self):
        found = {}
        for data in self.server.resources(self.server.at("calsync-followups")).values():
            event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
            found[str(event["UID"]).split("@")[0]] = str(event["SUMMARY"])
        return found

    def close(self):
        self.store.close()
        self.server.close()


class XandikosHarness(CaldavHarness):
    server_class = Xandikos


HARNESSES = {"feed": FeedHarness, "google": GoogleHarness, "caldav": CaldavHarness, "caldav-xandikos": XandikosHarness}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request, tmp_path):
    h = HARNESSES[request.param](tmp_path)
    yield h
    h.close()


def sync(h, followups, done=frozenset()):
    desired = {f.id: (f, content_hash(f, f.id in done, h.sink.style_key)) for f in followups}
    changes = reconcile(desired, h.sink.observed())
    h.sink.apply(changes, set(done), NOW)
    h.sink.flush()
    return changes


def test_create_then_nothing_to_do(harness):
    items = [followup(1), followup(2)]
    assert len(sync(harness, items)) == 2
    assert harness.published() == {f.id: f.summary for f in items}
    assert sync(harness, items) == []
    assert all(o.ownership is Ownership.MANAGED and o.sequence == 0 for o in harness.sink.observed().values())


def test_update_raises_sequence_and_changes_content(harness):
    sync(harness, [followup(1)])
    changed = dataclasses.replace(followup(1), summary="Send a warm thank-you note 1")
    assert [c.action.value for c in sync(harness, [changed])] == ["update"]
    assert harness.published() == {changed.id: changed.summary}
    assert harness.sink.observed()[changed.id].sequence == 1


def test_delete_removes_and_recreate_brings_back(harness):
    items = [followup(1), followup(2)]
    sync(harness, items)
    sync(harness, items[:1])
    assert set(harness.published()) == {items[0].id}
    assert harness.sink.observed()[items[1].id].ownership is Ownership.REMOVED
    sync(harness, items)
    assert set(harness.published()) == {f.id for f in items}
    assert harness.sink.observed()[items[1].id].sequence == 2


def test_done_marks_the_summary(harness):
    item = followup(1)
    sync(harness, [item], done={item.id})
    assert harness.published()[item.id].startswith("✓ ")


def test_restart_remembers_everything(harness, tmp_path):
    items = [followup(1), followup(2)]
    sync(harness, items)
    observed = harness.sink.observed()
    assert {fid: (o.hash, o.sequence) for fid, o in observed.items()} == \
        {fid: (r.hash, r.sequence) for fid, r in harness.store.published(harness.sink.name).items()}
