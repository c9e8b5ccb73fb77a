"""The feed read by three independent parsers gives every follow-up the instant the plan gave it.

icalendar and vobject (Python) and, where node is present, Mozilla's ical.js (Thunderbird, Nextcloud).
The plan spans next year's DST changes in a northern, a western and a southern-hemisphere zone.
"""
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
import vobject

from calsync.core.reconcile import content_hash, reconcile
from calsync.ics.feed import IcsFeed
from calsync.ics.text import FeedStyle
from calsync.state import StateStore
from tests.conftest import calendar, plan_ics, vevent

HERE = Path(__file__).resolve().parent
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)  # "next year" is 2027
ZONES = {"Europe/Berlin": "DE", "America/Los_Angeles": "US", "Australia/Sydney": "AU"}


def planned_feed(tmp_path: Path, zone: str, region: str) -> tuple[dict[str, dt.datetime], bytes]:
    """Interviews every 11 days through next year, planned by the real rules and published as the real feed."""
    first = dt.date(2026, 12, 7)
    events = [vevent(f"iv-{i}", f"{first + dt.timedelta(days=11 * i):%Y%m%d}T{10 + i % 6:02d}0000",
                     f"{first + dt.timedelta(days=11 * i):%Y%m%d}T{11 + i % 6:02d}0000",
                     summary=f"Interview {i} #interview", description=f"Company: Firm {i}", tz=zone)
              for i in range(36)]
    result = plan_ics(calendar(*events), NOW, {"timezone": zone, "business": {"region": region}})
    followups = result.plan.followups
    store = StateStore(tmp_path / "state.sqlite3", result.plan.followups[0].start.tzinfo)
    feed = IcsFeed(store, tmp_path / "feed.ics", zone, "Follow-ups", FeedStyle(), 3600)
    desired = {f.id: (f, content_hash(f, False, feed.style_key)) for f in followups}
    feed.apply(reconcile(desired, feed.observed()), set(), NOW)
    feed.flush()
    store.close()
    return {f"{f.id}@calsync": f.start for f in followups}, (tmp_path / "feed.ics").read_bytes()


def read_with_icalendar(data: bytes) -> dict[str, float]:
    return {str(e["UID"]): e["DTSTART"].dt.timestamp() for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def read_with_vobject(data: bytes) -> dict[str, float]:
    return {v.uid.value: v.dtstart.value.timestamp() for v in vobject.readOne(data.decode("utf-8")).vevent_list}


def install_ical_js() -> None:
    """Install the pinned ical.js from the npm registry (once; .ci/run does it ahead), or fail saying why."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node is present but npm is not: install npm (Debian: apt-get install npm) to read the feed with ical.js")
    done = subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"],
                          capture_output=True, timeout=300, check=False)
    if done.returncode != 0 or not (HERE / "node_modules" / "ical.js" / "package.json").is_file():
        pytest.fail(f"npm could not install ical.js into tests/interop: {done.stderr.decode(errors='replace')[-500:]}")


def read_with_ical_js(data: bytes) -> dict[str, float]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing in CI; .ci/run installs it (apt-get install nodejs npm)")
        pytest.skip("node is not installed; ical.js is read only where node is present")
    if not (HERE / "node_modules" / "ical.js" / "package.json").is_file():
        install_ical_js()
    done = subprocess.run([node, str(HERE / "read_feed.mjs")], input=data, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return {uid: float(seconds) for uid, seconds in json.loads(done.stdout).items()}


@pytest.mark.parametrize("zone", sorted(ZONES))
@pytest.mark.parametrize("reader", [read_with_icalendar, read_with_vobject, read_with_ical_js], ids=["icalendar", "vobject", "ical.js"])
def test_every_parser_reads_every_followup_at_the_planned_instant(tmp_path, zone, reader):
    planned, data = planned_feed(tmp_path, zone, ZONES[zone])
    next_year = sorted(start for start in planned.values() if start.year == 2027)
    changes = sum(1 for a, b in zip(next_year, next_year[1:]) if a.utcoffset() != b.utcoffset())
    assert changes == 2 and len(next_year) > 60  # both of next year's changes, with follow-ups on every side
    parsed = reader(data)
    assert set(parsed) == set(planned)
    wrong = {uid: (dt.datetime.fromtimestamp(parsed[uid], dt.timezone.utc), start)
             for uid, start in planned.items() if parsed[uid] != start.timestamp()}
    assert not wrong, f"{len(wrong)} of {len(planned)} follow-ups read at another instant: {sorted(wrong.values())[:3]}"
