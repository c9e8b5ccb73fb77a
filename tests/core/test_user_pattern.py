"""`match.summary_regex` runs in bounded time: RE2, or a checked pattern on a capped title."""
import subprocess
import sys
from pathlib import Path

import pytest

from calsync.config import build_config
from calsync.core.user_pattern import FALLBACK_INPUT_CAP, backtracking_problem, compile_user_pattern, python_pattern
from calsync.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_catastrophic_pattern_finishes_on_the_default_engine():
    # Python's engine took over 60 s on this (issue 10); RE2 is linear in the title's length.
    code = ("from calsync.core.user_pattern import compile_user_pattern as c\n"
            "p = c('^(a+)+$')\nassert p.engine == 're2'\nassert not p.search('a' * 33 + '!')\n"
            "assert not p.search('a' * 100000 + '!')\nassert p.search('aaa')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("pattern, title, hit", [
    ("(?i)^(onsite|phone screen)", "Phone Screen with Acme", True),
    ("(?i)^(onsite|phone screen)", "Lunch", False),
    (r"\bInterview\b", "Final Interview", True),
    (r"(?<!Mock )Interview", "Mock Interview", False),  # a lookbehind: RE2 lacks it, Python's engine runs it
    (r"(?<!Mock )Interview", "Final Interview", True),
])
def test_patterns_match_like_pythons(pattern, title, hit):
    assert (compile_user_pattern(pattern).search(title) is not None) is hit


@pytest.mark.parametrize("pattern, problem", [
    ("^(a+)+$", "a repeat inside a repeat"),
    ("(x+x+)+y", "a repeat inside a repeat"),
    ("(?:a{2,5})*b", "a repeat inside a repeat"),
    ("(a|ab)*c", "a repeated alternation"),
    (r"(a)\1", "a backreference"),
    ("a*b*c*d", "more than two unbounded repeats"),
    ("(?i)phone screen", None),
    (".*interview.*", None),
    ("^(?:on|off)site", None),
    ("a{1,3}b{2}", None),
])
def test_backtracking_check(pattern, problem):
    found = backtracking_problem(pattern)
    assert (found is None) if problem is None else (problem in found)


def test_fallback_refuses_what_backtracks_and_caps_the_title():
    with pytest.raises(ValueError, match="repeat inside a repeat"):
        python_pattern("^(a+)+$")
    fallback = python_pattern("interview$")
    assert fallback.engine == "python"
    assert fallback.search("x" * (FALLBACK_INPUT_CAP - 9) + "interview") is not None
    assert fallback.search("x" * FALLBACK_INPUT_CAP + "interview") is None  # beyond the cap: not looked at


@pytest.mark.parametrize("pattern, message", [
    (r"(?<=x)(a+)+", "match.summary_regex: could take very long to match: it has a repeat inside a repeat"),
    (r"(a)\1+", "match.summary_regex: could take very long to match: it has a backreference"),
    ("(unclosed", "match.summary_regex: not a valid regular expression"),
    ("x" * 1001, "match.summary_regex: "),
])
def test_configuration_names_an_unusable_pattern(pattern, message):
    with pytest.raises(ConfigError) as raised:
        build_config({"match": {"summary_regex": pattern}})
    assert any(p.startswith(message) for p in raised.value.problems), raised.value.problems


def test_configured_pattern_tags_interviews(early):
    from tests.conftest import calendar, plan_ics, vevent

    events = [vevent("a", "20261201T100000", "20261201T110000", summary="Phone screen - Acme"),
              vevent("b", "20261202T100000", "20261202T110000", summary="Team lunch")]
    result = plan_ics(calendar(*events), early, {"match": {"summary_regex": "(?i)^phone screen"}})
    assert [i.uid for i in result.interviews] == ["a"]
