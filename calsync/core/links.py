"""Links from follow-ups to their cards on the board: the last paragraph of every follow-up's description."""
from __future__ import annotations

import dataclasses

from calsync.core.model import Plan

CARD_LINK_LABEL = "On the board: "


def with_card_links(plan: Plan, base: str | None) -> Plan:
    """Every planned follow-up's description ends with a link to its card (``…/<token>/#f-<id>``)."""
    if not base:
        return plan
    linked = tuple(dataclasses.replace(f, description=f"{f.description}\n\n{CARD_LINK_LABEL}{base}#f-{f.id}")
                   for f in plan.followups)
    return dataclasses.replace(plan, followups=linked)


def due_before_card_link(description: str, due_line: str) -> str:
    """A sink's "Due: …" line goes after the draft but before the card link, which stays last."""
    body, sep, link = description.rpartition("\n\n" + CARD_LINK_LABEL)
    if sep and "\n" not in link:
        return f"{body}\n\n{due_line}\n\n{CARD_LINK_LABEL}{link}"
    return f"{description}\n\n{due_line}"
