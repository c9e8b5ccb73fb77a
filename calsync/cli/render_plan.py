"""The plan as JSON (the public contract) or as a table for people."""
from __future__ import annotations

import json
from collections import defaultdict

from calsync.core.model import FollowUp, Interview, Plan
from calsync.core.suggest import Suggestion


def followup_json(f: FollowUp) -> dict[str, str]:
    return {
        "kind": f.kind.value,
        "interview": f.interview,
        "start": f.start.isoformat(timespec="seconds"),
        "end": f.end.isoformat(timespec="seconds"),
        "due": f.due.isoformat(timespec="seconds"),
        "channel": f.channel.value,
        "summary": f.summary,
        "description": f.description,
    }


def plan_json(plan: Plan, suggestions: tuple[Suggestion, ...] = ()) -> str:
    return json.dumps({"followups": [followup_json(f) for f in plan.followups],
                       "suggestions": [suggestion_json(s) for s in suggestions]}, indent=2, ensure_ascii=False)


def suggestion_json(s: Suggestion) -> dict[str, object]:
    """One entry of `"suggestions"`, as the spec fixes it."""
    return {"event": s.event, "summary": s.summary, "start": s.start.isoformat(), "score": s.score,
            "reasons": list(s.reasons)}


def plan_table(plan: Plan, interviews: tuple[Interview, ...]) -> str:
    by_interview: dict[str, list[FollowUp]] = defaultdict(list)
    missed: dict[str, list[FollowUp]] = defaultdict(list)
    for f in plan.followups:
        by_interview[f.interview].append(f)
    for f in plan.missed:
        missed[f.interview].append(f)
    lines: list[str] = []
    for interview in sorted(interviews, key=lambda i: (i.start, i.uid)):
        lines.append(f"{interview.start:%a %Y-%m-%d %H:%M}  {interview.summary}  [{interview.uid}]")
        for f in by_interview.get(interview.uid, []):
            lines.append(f"    {f.start:%a %Y-%m-%d %H:%M}  {f.kind.value:<22} {f.channel.value:<5}  due {f.due:%a %H:%M}  {f.summary}")
        for f in missed.get(interview.uid, []):
            lines.append(f"    {'missed':<20}  {f.kind.value:<22} {f.channel.value:<5}  was due {f.due:%a %Y-%m-%d %H:%M}")
        if interview.uid not in by_interview and interview.uid not in missed:
            lines.append("    nothing to do")
    total = len(plan.followups)
    lines.append(f"{len(interviews)} interview(s), {total} follow-up(s) planned, {len(plan.missed)} missed.")
    return "\n".join(lines)
