"""The user's regular expression (`match.summary_regex`), run in bounded time.

With google-re2 installed (a dependency), patterns run on RE2, whose matching time is linear in
the input: no pattern can hang calsync. Without it (a platform with no wheel), or for what RE2
does not support (lookarounds, backreferences), Python's engine is used, with a check at load
that refuses what backtracks badly — nested or alternated repeats, backreferences, more than two
unbounded repeats — and titles cut to FALLBACK_INPUT_CAP characters before matching.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Protocol

try:  # pragma: no branch - which engine depends on the platform
    import re2
except ImportError:  # pragma: no cover
    re2 = None

try:
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse  # type: ignore[no-redef]

FALLBACK_INPUT_CAP = 256
MAX_PATTERN_LENGTH = 1000
ENGINE = "re2" if re2 is not None else "python"


class _Searcher(Protocol):
    def search(self, text: str) -> Any: ...


@dataclass(frozen=True)
class UserPattern:
    """A checked pattern; ``search`` is bounded in time whatever the text."""

    source: str
    engine: str
    compiled: _Searcher

    def search(self, text: str) -> Any:
        """The match, or None (like ``re.Pattern.search``)."""
        if self.engine == "python":
            text = text[:FALLBACK_INPUT_CAP]
        return self.compiled.search(text)


def _unbounded(max_repeat: int) -> bool:
    return max_repeat == sre_parse.MAXREPEAT or max_repeat > 100


def backtracking_problem(source: str) -> str | None:
    """Why Python's engine could take exponential or high-polynomial time on ``source``; None if it can't."""
    try:
        tree = sre_parse.parse(source)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    unbounded = 0

    def walk(items: Any, inside_repeat: bool) -> str | None:
        nonlocal unbounded
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = arg
                if _unbounded(high):
                    unbounded += 1
                if inside_repeat and (high > 1):
                    return "a repeat inside a repeat (like (a+)+)"
                found = walk(body, inside_repeat or high > 1)
                if found:
                    return found
            elif name == "SUBPATTERN":
                found = walk(arg[-1], inside_repeat)
                if found:
                    return found
            elif name == "BRANCH":
                if inside_repeat:
                    return "a repeated alternation (like (a|ab)*)"
                for branch in arg[1]:
                    found = walk(branch, inside_repeat)
                    if found:
                        return found
            elif name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "a backreference"
            elif name in ("ASSERT", "ASSERT_NOT"):
                found = walk(arg[1], inside_repeat)
                if found:
                    return found
        return None

    problem = walk(tree, False)
    if problem is None and unbounded > 2:
        problem = "more than two unbounded repeats (*, +, {n,})"
    return problem


@functools.lru_cache(maxsize=64)
def compile_user_pattern(source: str) -> UserPattern:
    """The pattern ready to run; ValueError (one line, saying what to change) when it cannot be used.

    RE2 when it is installed and the pattern is in its syntax; otherwise Python's engine, for a
    pattern that passes the backtracking check, on titles cut to FALLBACK_INPUT_CAP characters.
    """
    if len(source) > MAX_PATTERN_LENGTH:
        raise ValueError(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        re.compile(source)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    if re2 is not None:
        options = re2.Options()
        options.log_errors = False
        options.max_mem = 1 << 22
        try:
            return UserPattern(source, "re2", re2.compile(source, options))
        except re2.error:
            pass  # lookarounds, backreferences: Python's engine, if it is safe there
    return python_pattern(source)


def python_pattern(source: str) -> UserPattern:
    """The fallback: Python's engine, for patterns that pass the backtracking check."""
    problem = backtracking_problem(source)
    if problem is not None:
        raise ValueError(f"could take very long to match: it has {problem}; simplify it")
    return UserPattern(source, "python", re.compile(source))
