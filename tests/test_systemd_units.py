"""The shipped units: systemd-analyze verify and the offline security score."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "systemd"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (Debian package 'systemd'; .ci/run installs it)")


def installed_copy(tmp_path, name):
    """The unit with ExecStart pointing at this test run's calsync, as the README's install step does."""
    calsync = Path(sys.executable).parent / "calsync"
    assert calsync.exists(), "install the project (pip install -e .) so the console script exists"
    text = (UNITS / name).read_text()
    text = text.replace("/opt/calsync/venv/bin/calsync", str(calsync)).replace("%h/.local/bin/calsync", str(calsync))
    target = tmp_path / name
    target.write_text(text)
    return target


@pytest.mark.parametrize("name", ["calsync.service", "calsync-user.service"])
def test_units_verify_cleanly(tmp_path, name):
    unit = installed_copy(tmp_path, name)
    done = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stdout + done.stderr


def test_system_unit_is_hardened(tmp_path):
    unit = installed_copy(tmp_path, "calsync.service")
    done = subprocess.run([ANALYZE, "security", "--offline=true", "--threshold=20", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout).group(1))
    assert exposure <= 2.0


def test_unit_contract():
    text = (UNITS / "calsync.service").read_text()
    for line in ["Type=notify", "DynamicUser=yes", "StateDirectory=calsync", "ConfigurationDirectory=calsync",
                 "LoadCredential=google-token:", "Restart=on-failure", "RestartPreventExitStatus=77 78", "WatchdogSec=",
                 "UMask=0077", "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"]:
        assert line in text
