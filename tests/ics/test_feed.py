"""The .ics feed: golden bytes, determinism, two independent parsers, SEQUENCE, atomic writes."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from calsync.core.model import Channel, FollowUp, Kind
from calsync.core.reconcile import content_hash, reconcile
from calsync.ics.feed import IcsFeed, write_atomically
from calsync.ics.text import FeedStyle, fold
from calsync.state import StateStore

LA = ZoneInfo("America/Los_Angeles")
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "feed.ics"
CHANGED_AT = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def followup(kind=Kind.THANK_YOU, interview="acme-1", day=1, hour=11, summary="Send thank-you note — Acme", channel=Channel.EMAIL,
             description="Hi Jane,\n\nThank you; it was a pleasure — really, a pleasure.\n\nmailto:jane@acme.example?subject=Thanks"):
    start = dt.datetime(2026, 12, day, hour, 30, tzinfo=LA)
    return FollowUp(kind=kind, interview=interview, start=start, end=start + dt.timedelta(minutes=30),
                    due=start.replace(hour=17, minute=0), channel=channel, summary=summary, description=description, source="sample")


SAMPLE = [followup(), followup(Kind.CHECK_IN, day=8, hour=10, summary="Call to check in — Acme", channel=Channel.CALL),
          followup(Kind.THANK_YOU, interview="globex-1", day=2, hour=15, summary="Send thank-you note — Globex")]


def make_feed(tmp_path, style=FeedStyle()):
    store = StateStore(tmp_path / "state.sqlite3", LA)
    return store, IcsFeed(store, tmp_path / "followups.ics", "America/Los_Angeles", "Job search follow-ups", style, 3600)


def publish(feed, followups, done=frozenset(), at=CHANGED_AT):
    desired = {f.id: (f, content_hash(f, f.id in done, feed.style_key)) for f in followups}
    changes = reconcile(desired, feed.observed())
    feed.apply(changes, set(done), at)
    feed.flush()
    return changes


def events_of(data: bytes):
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_golden_feed(tmp_path):
    _, feed = make_feed(tmp_path)
    publish(feed, SAMPLE)
    data = (tmp_path / "followups.ics").read_bytes()
    if os.environ.get("CALSYNC_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()


def test_rendering_twice_gives_identical_bytes_even_after_restart(tmp_path):
    store, feed = make_feed(tmp_path)
    publish(feed, SAMPLE)
    first = feed.render()
    store.close()
    _, again = make_feed(tmp_path)
    assert again.render() == first
    assert publish(again, SAMPLE, at=CHANGED_AT + dt.timedelta(days=1)) == []  # nothing changed, nothing rewritten
    assert again.render() == first


def test_feed_parses_with_icalendar_and_vobject(tmp_path):
    _, feed = make_feed(tmp_path, FeedStyle(alarm_minutes=20, todos=True))
    publish(feed, SAMPLE)
    data = (tmp_path / "followups.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "Job search follow-ups" and "REFRESH-INTERVAL" in cal and "X-PUBLISHED-TTL" in cal
    events = list(cal.walk("VEVENT"))
    assert len(events) == 3 and len({str(e["UID"]) for e in events}) == 3
    assert {str(t["TZID"]) for t in cal.walk("VTIMEZONE")} == {"America/Los_Angeles"}
    for event in events:
        assert event["DTSTART"].dt.tzinfo is not None
        assert event.walk("VALARM")[0]["TRIGGER"].dt == -dt.timedelta(minutes=20)
        assert str(event["CATEGORIES"].cats[0]) in {"thank_you", "check_in"}
    assert len(list(cal.walk("VTODO"))) == 3
    parsed = vobject.readOne(data.decode("utf-8"))
    descriptions = [v.description.value for v in parsed.vevent_list]
    assert any("really, a pleasure" in d for d in descriptions)
    assert {v.dtstart.value.utcoffset() for v in parsed.vevent_list} == {dt.timedelta(hours=-8)}


def test_sequence_rises_on_change_and_removed_followups_disappear(tmp_path):
    _, feed = make_feed(tmp_path)
    publish(feed, SAMPLE)
    moved = [followup(hour=12)] + SAMPLE[1:2]
    publish(feed, moved, at=CHANGED_AT + dt.timedelta(hours=1))
    events = events_of((tmp_path / "followups.ics").read_bytes())
    assert len(events) == 2
    thank_you = events[f"{SAMPLE[0].id}@calsync"]
    assert int(thank_you["SEQUENCE"]) == 1 and int(events[f"{SAMPLE[1].id}@calsync"]["SEQUENCE"]) == 0
    publish(feed, SAMPLE, at=CHANGED_AT + dt.timedelta(hours=2))  # the removed one comes back, higher
    events = events_of((tmp_path / "followups.ics").read_bytes())
    assert int(events[f"{SAMPLE[2].id}@calsync"]["SEQUENCE"]) == 2
    assert int(events[f"{SAMPLE[0].id}@calsync"]["SEQUENCE"]) == 2


def test_done_followup_shows_a_check_mark(tmp_path):
    _, feed = make_feed(tmp_path)
    publish(feed, SAMPLE, done={SAMPLE[0].id})
    event = events_of(feed.render())[f"{SAMPLE[0].id}@calsync"]
    assert str(event["SUMMARY"]).startswith("✓ ") and str(event["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize("text", ["a" * 200, "é" * 100, "日本語" * 40, "x" * 74 + "é" + "y" * 100])
def test_folding_keeps_lines_short_and_characters_whole(text):
    folded = fold("DESCRIPTION:" + text).encode()
    lines = folded.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"".join(line[1:] if i else line for i, line in enumerate(lines)).decode() == "DESCRIPTION:" + text


WRITER = """
import sys
from pathlib import Path
from calsync.ics.feed import write_atomically
path = Path(sys.argv[1])
a, b = Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()
print("ready", flush=True)
i = 0
while True:
    write_atomically(path, a if i % 2 else b)
    i += 1
"""


def test_kill_9_during_publishing_leaves_old_or_new_feed(tmp_path):
    a, b = b"A" * 3_000_000, b"B" * 2_000_000
    (tmp_path / "a").write_bytes(a)
    (tmp_path / "b").write_bytes(b)
    target = tmp_path / "feed.ics"
    write_atomically(target, a)
    for attempt in range(12):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(tmp_path / "a"), str(tmp_path / "b")],
                                stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.01 + attempt * 0.013)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert target.read_bytes() in (a, b)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".feed.ics")]
    assert len(leftovers) <= 1  # at most the temp file of the killed write, never the feed itself


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from calsync.errors import CalsyncError
from calsync.ics.feed import write_atomically
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # writes past 4 KiB fail like a full disk
try:
    write_atomically(Path(sys.argv[1]), b"new" * 10_000)
except CalsyncError as exc:
    print(exc)
    sys.exit(3)
"""


def test_failed_write_keeps_the_old_feed(tmp_path):
    target = tmp_path / "feed.ics"
    write_atomically(target, b"old")
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(target)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 3, done.stderr
    assert "cannot write the feed" in done.stdout and "previous feed is kept" in done.stdout
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.ics"]


def test_control_characters_and_terminal_escapes_from_calendars_never_reach_the_feed(tmp_path):
    _, feed = make_feed(tmp_path)
    hostile = followup(summary="Send thank-you note — \x1b[31mAcme\x1b[0m\x00", description="Hi\x07 Jane,\n\x1b]0;title\x07line two\tend")
    publish(feed, [hostile])
    data = (tmp_path / "followups.ics").read_bytes()
    assert not any(b < 32 and b not in b"\t\r\n" or b == 127 for b in data)  # HTAB is allowed in TEXT
    event = events_of(data)[f"{hostile.id}@calsync"]
    assert str(event["SUMMARY"]) == "Send thank-you note — Acme" and str(event["DESCRIPTION"]).startswith("Hi Jane,\nline two\tend")
