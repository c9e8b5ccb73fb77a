"""Desired follow-ups versus what a sink holds -> the changes to make. Pure."""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from calsync.core.model import FollowUp


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Ownership(str, enum.Enum):
    """What calsync may do with a follow-up a sink holds."""

    MANAGED = "managed"  # calsync's to update and delete
    PENDING = "pending"  # a create was about to be sent (intent recorded before the write)
    REMOVED = "removed"  # calsync removed it; may come back
    USER_EDITED = "user-edited"  # the user's version wins; calsync never touches it again
    USER_DELETED = "user-deleted"  # the user deleted it; never written again


@dataclass(frozen=True)
class Observed:
    hash: str
    sequence: int
    ownership: Ownership


@dataclass(frozen=True)
class Change:
    action: Action
    fid: str
    sequence: int  # the SEQUENCE the sink should carry after the change
    followup: FollowUp | None = None  # None for DELETE
    hash: str = ""


def content_hash(f: FollowUp, done: bool, style: str = "") -> str:
    """A hash of every field calsync owns, normalized (times in UTC), plus rendering choices."""
    fields = [f.kind.value, f.interview, f.channel.value, f.summary, f.description, str(done), style,
              *(m.astimezone(dt.timezone.utc).isoformat() for m in (f.start, f.end, f.due))]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def reconcile(desired: Mapping[str, tuple[FollowUp, str]], observed: Mapping[str, Observed]) -> list[Change]:
    """Changes that make the sink match ``desired`` (fid -> (follow-up, hash)), respecting the user."""
    changes: list[Change] = []
    for fid in sorted(desired):
        followup, digest = desired[fid]
        seen = observed.get(fid)
        if seen is None:
            changes.append(Change(Action.CREATE, fid, 0, followup, digest))
        elif seen.ownership in (Ownership.USER_EDITED, Ownership.USER_DELETED):
            continue
        elif seen.ownership is Ownership.REMOVED:
            changes.append(Change(Action.CREATE, fid, seen.sequence + 1, followup, digest))
        elif seen.ownership is Ownership.PENDING:
            changes.append(Change(Action.CREATE, fid, seen.sequence, followup, digest))
        elif seen.hash != digest:
            changes.append(Change(Action.UPDATE, fid, seen.sequence + 1, followup, digest))
    for fid in sorted(observed):
        if fid not in desired and observed[fid].ownership in (Ownership.MANAGED, Ownership.PENDING):
            changes.append(Change(Action.DELETE, fid, observed[fid].sequence + 1))
    return changes


def deletes_too_many(changes: list[Change], observed: Mapping[str, Observed]) -> bool:
    """The safety valve: would this remove more than half of what is published (and at least 3)?"""
    managed = sum(1 for o in observed.values() if o.ownership is Ownership.MANAGED)
    deletes = sum(1 for c in changes if c.action is Action.DELETE)
    return deletes >= 3 and deletes * 2 > managed
