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
