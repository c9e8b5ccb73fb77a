"""What Google Calendar accepts for values calsync sends, checked at config load (the API's own limits).

Here, not in calsync/google/, so that config never imports the Google room (no import cycle between rooms)."""
from __future__ import annotations

from collections.abc import Sequence

MAX_REMINDERS = 5  # "The maximum number of override reminders is 5."
MAX_REMINDER_MINUTES = 40320  # "Valid values are between 0 and 40320 (4 weeks in minutes)."
EVENT_COLOR_IDS = tuple(str(n) for n in range(1, 12))  # the event palette (colors.get: 1-11)


def google_problems(reminder_minutes: Sequence[object], color_id: str) -> list[tuple[str, str]]:
    """(key, problem) for each value Google would reject with HTTP 400 on every write."""
    problems = []
    if len(reminder_minutes) > MAX_REMINDERS:
        problems.append(("google.reminder_minutes", f"Google allows at most {MAX_REMINDERS} reminders, got {len(reminder_minutes)}; "
                         "keep the 5 you want"))
    for minutes in reminder_minutes:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_REMINDER_MINUTES:
            problems.append(("google.reminder_minutes", f"{minutes!r} is not a whole number of minutes from 0 to "
                             f"{MAX_REMINDER_MINUTES} (4 weeks), which is what Google accepts"))
    if color_id and color_id not in EVENT_COLOR_IDS:
        problems.append(("google.color_id", f"{color_id!r} is not an event colour; Google's event palette is \"1\" to \"11\""))
    return problems
