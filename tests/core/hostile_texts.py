"""Event texts built to make a careless reader slow (issue 10), by name and size factor.

Shared by tests/core/test_reading_bounds.py (each must finish, in a subprocess with a timeout)
and bench/bench_reading.py (prints the time of each, and the ratio when its size doubles).
"""
from __future__ import annotations

from collections.abc import Callable

HOSTILE: dict[str, Callable[[int], str]] = {
    # the four observed in issue 10 (n = 1: the sizes reported there)
    "escaped newlines": lambda n: "\n" * (200_000 * n),
    "company + spaces": lambda n: "Company: a" + " " * (200_000 * n),
    "contact < + @": lambda n: "Contact: <" + "@" * (100_000 * n),
    "contact a@ + dots": lambda n: "Contact: a@" + "." * (100_000 * n),
    # more of the same kind
    "outcome + spaces": lambda n: "Outcome: rejected" + " " * (200_000 * n) + "x",
    "indented lines": lambda n: (" " * 50 + "\n") * (4_000 * n),
    "contact <<<": lambda n: "Contact: " + "<a@b.c" * (30_000 * n),
    "no no no": lambda n: "no " * (100_000 * n),
    "tag prefixes": lambda n: "#interview-prep " * (20_000 * n),
    "tag run": lambda n: "#interview" * (30_000 * n),
    "outcome tags": lambda n: "#rejected-" * (30_000 * n),
    "triggers": lambda n: "we'll be in touch " * (20_000 * n),
    "trigger + weekdays": lambda n: "we'll be in touch " + "by friday " * (30_000 * n),
    "weekdays": lambda n: "fri " * (60_000 * n),
    "ranges": lambda n: "in " + "1-" * (100_000 * n) + " weeks",
    "numbers": lambda n: "decision within " + "1 " * (100_000 * n),
    "explicit deadline": lambda n: "Deadline: " + "friday " * (30_000 * n),
    "dots": lambda n: "decision. " * (30_000 * n),
    "month days": lambda n: "decision december 4 " * (15_000 * n),
    "html <br": lambda n: "<p>" + "<br" * (100_000 * n) + ">",
    "html </": lambda n: "<b>x</b>" + "</" * (100_000 * n),
    "html <?": lambda n: "<div>" + "<?" * (100_000 * n),
    "html entities": lambda n: "<p>" + "&amp;" * (60_000 * n),
    "html comments": lambda n: "<p>" + "<!--" * (60_000 * n),
    "html tags": lambda n: "<div>Outcome: rejected</div>" * (10_000 * n),
    "html attributes": lambda n: '<a href="' + "x" * (200_000 * n),
    "html script": lambda n: "<p>" + "<script>" * (30_000 * n),
    "mixed junk": lambda n: ("Contact: <@@ .. >\tCompany:  \r\nOutcome : offer   \u2028#offer-" * (5_000 * n)),
}
