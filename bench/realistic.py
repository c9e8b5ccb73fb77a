"""A realistic calendar export: meetings, all-day events, Zoom boilerplate, 3 % recurring series,
9 % interviews with timelines and outcomes, 1 % applications.

Run: .venv/bin/python bench/realistic.py N > calendar.ics
"""
from __future__ import annotations

import random
import sys

ZOOM = ("Join Zoom Meeting\\nhttps://us02web.zoom.us/j/8{n:09d}?pwd=Q2x{n:06d}\\n\\nMeeting ID: 8{n:09d}\\nPasscode: 123456\\n"
        "One tap mobile\\n+16699006833\\,\\,8{n:09d}# US (San Jose)\\n+13462487799\\,\\,8{n:09d}# US (Houston)\\n\\n"
        "Dial by your location\\n        +1 669 900 6833 US (San Jose)\\n        +1 346 248 7799 US (Houston)\\n"
        "Find your local number: https://us02web.zoom.us/u/kb{n:06d}")
MEETINGS = ["Standup", "1:1 with Sam", "Sprint planning", "Team lunch", "Dentist", "Gym", "Design review", "Retro", "Coffee chat"]
TIMELINES = ["We'll be in touch by Friday.", "You'll hear back within two weeks.", "Decision by: December 11", "", ""]
OUTCOMES = ["", "", "", "Outcome: rejected 2026-12-09", "#responded", "Outcome: offer 2026-12-15"]


def _lines(uid: str, start: str, end: str, summary: str, description: str, extra: list[str]) -> list[str]:
    tz = "" if len(start) == 8 else ";TZID=America/Los_Angeles"
    value = ";VALUE=DATE" if len(start) == 8 else ""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", f"DTSTART{tz}{value}:{start}", f"DTEND{tz}{value}:{end}",
             f"SUMMARY:{summary}", *extra]
    if description:
        text = f"DESCRIPTION:{description}"
        lines += [text[:75], *(" " + text[i:i + 74] for i in range(75, len(text), 74))]
    return [*lines, "END:VEVENT"]


def realistic_calendar(n: int, seed: int = 12) -> bytes:
    rng = random.Random(seed)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "CALSCALE:GREGORIAN",
           "X-WR-CALNAME:me@example.com", "X-WR-TIMEZONE:America/Los_Angeles",
           "BEGIN:VTIMEZONE", "TZID:America/Los_Angeles", "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0800", "TZOFFSETTO:-0700",
           "TZNAME:PDT", "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
           "BEGIN:STANDARD", "TZOFFSETFROM:-0700", "TZOFFSETTO:-0800", "TZNAME:PST", "DTSTART:19701101T020000",
           "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD", "END:VTIMEZONE"]
    for i in range(n):
        year = rng.choice([2024, 2025, 2026, 2026, 2027])
        month, day, hour = rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 17)
        start, end = f"{year}{month:02d}{day:02d}T{hour:02d}0000", f"{year}{month:02d}{day:02d}T{hour:02d}4500"
        roll = rng.random()
        attendees = [f"ATTENDEE;CN=Person {j};PARTSTAT=ACCEPTED:mailto:p{j}@example.com" for j in range(rng.randint(0, 4))]
        if roll < 0.09:
            desc = (f"Company: Acme {i}\\nRole: Engineer\\nContact: Jo Park <jo{i}@acme.example>\\n{rng.choice(TIMELINES)}\\n"
                    f"{rng.choice(OUTCOMES)}\\n\\n" + ZOOM.format(n=i))
            out += _lines(f"iv{i}@example.com", start, end, f"Interview with Acme {i} #interview", desc, attendees)
        elif roll < 0.10:
            out += _lines(f"ap{i}@example.com", start, end, f"Applied: Acme {i} #applied", "Applied via the careers page.", [])
        elif roll < 0.13:
            rule = rng.choice(["RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "RRULE:FREQ=MONTHLY;BYDAY=1TU",
                               "RRULE:FREQ=WEEKLY;INTERVAL=2"])
            since = f"{rng.choice([2016, 2019, 2022, 2024])}{month:02d}{day:02d}T{hour:02d}0000"
            out += _lines(f"rec{i}@example.com", since, since[:9] + f"{hour:02d}3000", rng.choice(MEETINGS), ZOOM.format(n=i), [rule, *attendees])
        elif roll < 0.25:
            out += _lines(f"ad{i}@example.com", f"{year}{month:02d}{day:02d}", f"{year}{month:02d}{day:02d}", rng.choice(["Holiday", "Birthday: Kim", "Out of office"]), "", [])
        else:
            out += _lines(f"m{i}@example.com", start, end, rng.choice(MEETINGS), ZOOM.format(n=i) if rng.random() < 0.6 else "", attendees)
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()


if __name__ == "__main__":
    sys.stdout.buffer.write(realistic_calendar(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
