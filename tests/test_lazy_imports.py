"""Short commands import only what they use: no holiday data to validate a region, no Google client without a Google source."""
import json
import subprocess
import sys

import pytest

from calsync.config import build_config
from calsync.errors import ConfigError

PROBE = """
import json, sys
from calsync.config import build_config
from calsync.runtime import open_runtime
config = build_config({"business": {"region": sys.argv[1]}, "state_dir": sys.argv[2], "sources": [{"path": sys.argv[3]}]})
open_runtime(config).store.close()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("holidays", "googleapiclient", "icalendar", "workalendar"))))
"""


def loaded(tmp_path, region: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, region, str(tmp_path / "state"), str(tmp_path / "cal.ics")],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout)


def test_loading_the_configuration_and_wiring_imports_no_calendar_library(tmp_path):
    assert loaded(tmp_path, "US") == []


def test_an_explicit_subdivision_is_checked_at_load(tmp_path):
    assert any(m.startswith("holidays") for m in loaded(tmp_path, "DE-BY"))


@pytest.mark.parametrize("region", ["XX", "DE-ZZ"])
def test_unknown_regions_are_still_refused_at_load(region):
    with pytest.raises(ConfigError, match="business.region"):
        build_config({"business": {"region": region}})


# What `calsync status` must never load: HTTP and mail parsing, the engine and planner, the feed server,
# calendar parsing, and every optional client library (each is for another command or another configuration).
HEAVY = ("http", "email", "ssl", "caldav", "googleapiclient", "google", "google_auth_oauthlib", "jinja2", "waitress",
         "holidays", "workalendar", "icalendar", "recurring_ical_events", "x_wr_timezone",
         "calsync.engine", "calsync.planner", "calsync.daemon", "calsync.web", "calsync.caldav", "calsync.google",
         "calsync.ics.fetch", "calsync.ics.parse", "calsync.core.detect", "calsync.core.suggest")


def imported_by(argv: list[str], cwd) -> tuple[set[str], str]:
    """Every module a `python -m calsync` process imports (read from ``-X importtime``), and its stdout."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "calsync", *argv], capture_output=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    lines = done.stderr.decode().splitlines()
    modules = {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:") and "|" in line}
    assert "calsync.cli.main" in modules  # the probe works: it saw the command line itself
    return modules, done.stdout.decode()


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_status_imports_no_engine_http_parser_or_client_library(tmp_path):
    from tests.conftest import calendar, vevent

    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview",
                                    description="Company: Acme\nOutcome: rejected")))
    config = tmp_path / "calsync.toml"
    config.write_text(  # every kind of source and sink configured: validating them must not load their clients
        f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n[business]\nregion = "DE"\n'
        f'[[sources]]\nname = "cal"\npath = "{ics}"\n'
        f'[[sources]]\nname = "shared"\nurl = "webcal://calendar.example.org/private-abc/basic.ics"\n'
        f'[[sources]]\ntype = "caldav"\nurl = "https://dav.example.org/cal/"\nusername = "me"\npassword_file = "pw"\n'
        f'[[sources]]\ntype = "google"\n'
        f'[google]\nsink = true\n[caldav]\nsink = true\nurl = "https://dav.example.org/"\n')
    run_config = tmp_path / "run.toml"  # the pass that fills the state reads the file only
    run_config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                          f'[[sources]]\nname = "cal"\npath = "{ics}"\n')
    filled = subprocess.run([sys.executable, "-m", "calsync", "--config", str(run_config), "run", "--once", "--no-serve",
                             "--now", "2026-11-25T12:00"], capture_output=True, timeout=120, cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr.decode()[-2000:]

    modules, out = imported_by(["--config", str(config), "status", "--now", "2026-11-25T12:00"], tmp_path)
    assert "Onsite" in out and "[rejected]" in out  # it read the state, not the "no state yet" shortcut
    assert heavy(modules) == []
    modules, out = imported_by(["--config", str(config), "status", "--json"], tmp_path)
    assert '"uid": "acme-1"' in out and heavy(modules) == []


def test_every_command_has_its_module_in_the_dispatch_table():
    import argparse
    import importlib

    from calsync.cli.arguments import build_parser
    from calsync.cli.main import COMMANDS

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(COMMANDS) == set(sub.choices)
    for name, (module, function) in COMMANDS.items():
        assert callable(getattr(importlib.import_module(f"calsync.cli.{module}"), function)), name
