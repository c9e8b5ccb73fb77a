"""`calsync mark` and `calsync done`: record what happened, or undo it (the board calls the same StateStore methods)."""
from __future__ import annotations

import argparse
import datetime as dt

from calsync.cli.context import configured
from calsync.cli.moments import parse_moment
from calsync.core.model import OutcomeKind
from calsync.errors import CalsyncError, UsageError
from calsync.ics.redaction import scrub
from calsync.runtime import open_store


def find_interview(query: str, known: list[tuple[str, str, str, str]]) -> str:
    """The one interview whose UID is ``query``, or whose UID, title or company contains it."""
    exact = [row for row in known if row[0] == query]
    if exact:
        return exact[0][0]
    needle = query.lower()
    matches = [row for row in known if needle in row[0].lower() or needle in row[1].lower() or needle in row[2].lower()]
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        raise CalsyncError(f"no interview matches {query!r}; `calsync status` lists them (run `calsync run --once` first if it is new)")
    listing = "; ".join(f"{uid} ({summary}, {start[:16]})" for uid, summary, _, start in matches[:10])
    raise CalsyncError(f"{query!r} matches {len(matches)} interviews, give one UID: {listing}")


def cmd_mark(args: argparse.Namespace) -> int:
    config = configured(args)
    now = dt.datetime.now(config.plan.zone)
    if args.outcome is None and not args.undo:
        raise UsageError("mark: give an outcome (responded, rejected, form-rejection, offer, withdrawn), or --undo")
    if args.undo and args.at:
        raise UsageError("mark: --at and --undo do not go together")
    kind = OutcomeKind.parse(args.outcome) if args.outcome else None
    at = parse_moment(args.at, config.plan.zone, "--at", now) if args.at else now
    with open_store(config) as store:
        uid = find_interview(args.interview, store.known_interviews())
        if args.undo:
            undone = store.unmark(uid, kind)
            if undone is None:
                what = f"no recorded {kind.value}" if kind else "no recorded outcome"
                raise CalsyncError(f"{what} for {uid}; outcomes written in the calendar event are changed there")
            print(scrub(f"undone: {undone.value} for {uid}; the next pass updates its follow-ups"))
            return 0
        assert kind is not None
        store.mark(uid, kind, at, now)
    print(scrub(f"recorded {kind.value} for {uid} at {at:%Y-%m-%d %H:%M}; the next pass updates its follow-ups"))
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    config = configured(args)
    with open_store(config) as store:
        items = [i for i in store.plan_items() if i.fid.startswith(args.followup.lower())]
        if len(items) != 1:
            raise CalsyncError(f"{'no' if not items else 'more than one'} follow-up matches {args.followup!r}; `calsync status` shows their IDs")
        item = items[0]
        if args.undo:
            if not store.undo_done(item.fid):
                raise CalsyncError(f"{item.fid[:8]} is not marked done")
            print(scrub(f"pending again: {item.summary}"))
            return 0
        store.mark_done(item.fid, dt.datetime.now(config.plan.zone))
    print(scrub(f"done: {item.summary}"))
    return 0


def find_suggestion(query: str, known: list[tuple[str, str, str, float, str, str]]) -> str:
    """The one suggested event whose id is ``query``, or whose id or title contains it."""
    exact = [row for row in known if row[0] == query]
    if exact:
        return exact[0][0]
    needle = query.lower()
    matches = [row for row in known if needle in row[0].lower() or needle in row[1].lower()]
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        raise CalsyncError(f"no suggestion matches {query!r}; `calsync status` lists them (after `calsync run --once`)")
    listing = "; ".join(f"{event} ({summary}, {start[:16]})" for event, summary, start, *_ in matches[:10])
    raise CalsyncError(f"{query!r} matches {len(matches)} suggestions, give one id: {listing}")


def _decide(args: argparse.Namespace, choice: str, told: str) -> int:
    config = configured(args)
    with open_store(config) as store:
        event = find_suggestion(args.event, store.suggestions())
        store.decide_suggestion(event, choice, dt.datetime.now(config.plan.zone))
    print(scrub(f"{told}: {event}"))
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    """`calsync confirm ID`: plan a suggested event like a tagged interview from now on."""
    return _decide(args, "confirmed", "confirmed, the next pass plans its follow-ups")


def cmd_dismiss(args: argparse.Namespace) -> int:
    """`calsync dismiss ID`: never suggest this event again."""
    return _decide(args, "dismissed", "dismissed, it will not be suggested again")
