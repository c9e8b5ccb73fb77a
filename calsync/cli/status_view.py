"""`calsync status`: interviews with their outcomes and follow-ups, and source health — for people or as JSON.

The JSON shape (``calsync status --json``), stable within a major version::

    {"now": ISO, "timezone": str, "state": path,
     "interviews": [{"uid", "summary", "company", "start": ISO local,
                     "outcomes": [{"kind", "at": ISO (a mark) | null (read from the event), "recorded": "mark" | "calendar"}],
                     "followups": [{"id", "kind", "start", "due", "channel", "summary",
                                    "state": "pending" | "overdue" | "done" | "missed"}]}],
     "sources": [{"name", "last_ok": ISO | null, "error": str | null, "error_at": ISO | null}],
     "notices": [str],
     "suggestions": [{"event", "summary", "start": ISO local, "score": 0..1, "reasons": [str]}]}  # open ones
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import shutil
from typing import Any
from zoneinfo import ZoneInfo

from calsync.cli.context import configured, current_time
from calsync.errors import StateError, login_notices
from calsync.ics.redaction import scrub
from calsync.runtime import open_store
from calsync.state import state_path



def printable(text: str) -> str:
    """Remote text on one line, URLs redacted, terminal escapes stripped."""
    return scrub(text.replace("\n", " ").replace("\t", " "))


def _local(text: str | None, zone: ZoneInfo) -> tuple[dt.datetime | None, str | None]:
    """A stored ISO moment in ``zone``, and as ISO text: the stored text itself when it has that zone's offset already."""
    if not text:
        return None, text
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None, text
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
        return value, value.isoformat()
    moment = value.astimezone(zone)
    return moment, (text if moment.utcoffset() == value.utcoffset() else moment.isoformat())


def collect_status(config: Any, now: dt.datetime) -> dict[str, Any]:
    """Everything `status` shows, as plain values (the ``--json`` shape)."""
    zone = config.plan.zone
    with open_store(config) as store:
        items, done = store.plan_items(), store.done_ids()
        known = store.known_interviews()
        marks = store.recorded_outcomes()
        seen = store.seen(now)
        health = store.source_health()
        notices = [f"safety valve: {v}" for v in (store.get_meta(f"refused:{k}") for k in ("feed", "google", "caldav")) if v]
        logins = store.login_problems()
        degraded = store.get_meta("caldav_degraded")
        google_note = store.get_meta("google_sink_note")
        suggested = store.suggestions()
    notices.extend(login_notices(logins))
    if degraded:
        notices.append(f"degraded: {degraded}")
    if google_note:
        notices.append(f"Google: {google_note}")
    notices.extend(state_problems(config.state_dir))
    by_interview: dict[str, list[Any]] = {}
    for item in items:
        by_interview.setdefault(item.interview, []).append(item)
    read_outcomes: dict[str, list[str]] = {}  # undated outcomes read from the calendar, per interview
    for o_uid, kind in seen.outcomes:
        read_outcomes.setdefault(o_uid, []).append(kind)

    local = functools.lru_cache(maxsize=None)(lambda text: _local(text, zone))  # each distinct stored moment once

    interviews = []
    for uid, summary, company, start in known:
        followups = []
        for item in sorted(by_interview.get(uid, []), key=lambda i: i.start):
            due, due_text = local(item.due)
            state = ("missed" if item.missed else "done" if item.fid in done
                     else "overdue" if due is not None and due < now else "pending")
            followups.append({"id": item.fid[:8], "kind": item.kind, "start": local(item.start)[1], "due": due_text,
                              "channel": item.channel, "summary": item.summary, "state": state})
        outcomes = [{"kind": o.kind.value, "at": o.at.astimezone(zone).isoformat(), "recorded": "mark"} for o in marks.get(uid, ())]
        outcomes += [{"kind": kind, "at": None, "recorded": "calendar"}  # its date, if any, is in the event's text
                     for kind in read_outcomes.get(uid, ())]
        interviews.append({"uid": uid, "summary": summary, "company": company,
                           "start": local(start)[1], "outcomes": sorted(outcomes, key=lambda o: o["at"] or ""),
                           "followups": followups})

    def when(text: str | None) -> str | None:
        return local(text)[1]

    sources = [{"name": name, "last_ok": when(last_ok), "error": error, "error_at": when(error_at)}
               for name, last_ok, error, error_at in health]
    suggestions = [{"event": event, "summary": summary, "start": when(start), "score": score, "reasons": json.loads(reasons)}
                   for event, summary, start, score, reasons, choice in suggested if choice == "open"]
    return {"now": now.isoformat(), "timezone": zone.key, "state": str(config.state_dir), "interviews": interviews,
            "sources": sources, "notices": notices, "suggestions": suggestions}


def select(status: dict[str, Any], upcoming: bool, company: str | None) -> list[dict[str, Any]]:
    """``--upcoming``: interviews ahead or with follow-ups still to do; ``--company``: a word of the company or title."""
    chosen = []
    for interview in status["interviews"]:
        if company and company.lower() not in (interview["company"] + " " + interview["summary"]).lower():
            continue
        if upcoming and interview["start"] < status["now"] and not any(
                f["state"] in ("pending", "overdue") for f in interview["followups"]):
            continue
        chosen.append(interview)
    return chosen


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(text: str) -> str:
    """``Tue Dec  8 14:00`` (English names whatever the locale, as the C locale's strftime gives)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text[:16]
    return f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:>2} {moment.hour:02d}:{moment.minute:02d}"


def _fit(text: str, width: int) -> str:
    text = printable(text)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def state_problems(state_dir: Any) -> list[str]:
    """What is wrong with the running daemon or the state directory, with the fix."""
    from calsync.statedir import check_state_dir

    return [f"state: {what}" + (f"; fix: {fix}" if fix else "") for ok, what, fix in check_state_dir(state_dir) if not ok]


def render_status(status: dict[str, Any], interviews: list[dict[str, Any]], width: int) -> str:
    """Interviews grouped with their follow-ups, each line within ``width`` columns."""
    width = max(width, 40)
    lines: list[str] = []
    if not status["interviews"]:
        lines.append("no interviews yet: tag an event #interview, then run `calsync run --once`")
    elif not interviews:
        lines.append("no interviews match")
    for interview in interviews:
        outcome = interview["outcomes"][-1] if interview["outcomes"] else None
        tail = f"  [{outcome['kind']}{' ' + _when(outcome['at'])[:10].strip() if outcome['at'] else ''}]" if outcome else ""
        head = f"{_when(interview['start'])}  "
        title = interview["summary"] or interview["company"] or interview["uid"]
        lines.append(head + _fit(title, width - len(head) - len(tail)) + tail)
        lines.append(f"    {_fit(interview['uid'], width - 4)}")
        for f in interview["followups"]:
            head = f"    {f['id']}  {_when(f['start'])}  {f['state']:<7}  "
            lines.append(head + _fit(f["summary"], width - len(head)))
    if status.get("suggestions"):
        lines.append("")
        lines.append("suggested interviews (untagged): `calsync confirm ID` plans one, `calsync dismiss ID` forgets it")
        for s in status["suggestions"]:
            head = f"    {_when(s['start'])}  {s['score']:.2f}  "
            lines.append(head + _fit(printable(s["summary"]), width - len(head)))
            lines.append(f"        {_fit(printable(s['event']), width - 8)}")
            lines.append("        " + _fit(printable("; ".join(s["reasons"])), width - 8))
    lines.append("")
    if not status["sources"]:
        lines.append("sources: none read yet")
    for source in status["sources"]:
        line = f"source {source['name']}: last read {_when(source['last_ok']) if source['last_ok'] else 'never'}"
        if source["error"]:
            line += f"; FAILING since {_when(source['error_at'] or '')}: {printable(source['error'])}"
        lines.append(_fit(line, width) if not source["error"] else line)
    lines.extend(printable(n) for n in status["notices"])
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    config = configured(args)
    now = current_time(args, config)
    if not state_path(config.state_dir).exists():
        if args.json:
            print(json.dumps({"now": now.isoformat(), "timezone": config.plan.zone.key, "state": str(config.state_dir),
                              "interviews": [], "sources": [], "notices": ["no state yet"], "suggestions": []}, indent=2))
        else:
            print(f"no state yet in {config.state_dir}: run `calsync run --once` first")
        return 0
    try:
        status = collect_status(config, now)
    except StateError:  # say what the daemon and the state directory look like, then the error's own line
        print("\n".join(printable(line) for line in state_problems(config.state_dir)))
        raise
    chosen = select(status, args.upcoming, args.company)
    if args.json:
        print(json.dumps({**status, "interviews": chosen}, indent=2, ensure_ascii=False))
    else:
        print(render_status(status, chosen, shutil.get_terminal_size((100, 24)).columns))
    return 0
