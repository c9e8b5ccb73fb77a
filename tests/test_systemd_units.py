"""The shipped units: systemd-analyze verify and the offline security score, as `calsync init --print-unit` prints them."""
import os
import re
import shutil
import subprocess

import pytest

from calsync.cli.main import main

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (Debian package 'systemd'; .ci/run installs it)")
UNIT_FILES = {"system": "calsync.service", "user": "calsync-user.service", "template": "calsync@.service"}


def printed_unit(capsys, tmp_path, kind):
    """The unit as `calsync init --print-unit KIND` prints it, saved under its own name."""
    assert main(["init", "--print-unit", kind]) == 0
    text = capsys.readouterr().out
    name = UNIT_FILES[kind].replace("@.", "@alice.") if kind == "template" else UNIT_FILES[kind]
    target = tmp_path / name
    target.write_text(text)
    return target, text


def analyze(*args, runtime=None):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)} if runtime else None  # a user manager needs one
    return subprocess.run([ANALYZE, *args], capture_output=True, text=True, timeout=120, env=env)


@needs_analyze
@pytest.mark.parametrize("kind", ["system", "user", "template"])
def test_units_verify_cleanly(capsys, tmp_path, kind):
    unit, _ = printed_unit(capsys, tmp_path, kind)
    if kind == "template":  # verify the template itself, as systemd loads calsync@.service
        template = tmp_path / "calsync@.service"
        template.write_text(unit.read_text())
        unit = template
    done = analyze("verify", *(["--user"] if kind == "user" else []), str(unit), runtime=tmp_path)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stdout + done.stderr


@needs_analyze
@pytest.mark.parametrize("kind, limit", [("system", 2.0), ("template", 2.0), ("user", 7.0)])
def test_units_are_hardened(capsys, tmp_path, kind, limit):
    unit, _ = printed_unit(capsys, tmp_path, kind)
    done = analyze("security", "--offline=true", "--threshold=100", *(["--user"] if kind == "user" else []), str(unit), runtime=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout).group(1))
    assert exposure <= limit, done.stdout


@pytest.mark.parametrize("kind", ["system", "template"])
def test_system_units_start_without_optional_credentials(capsys, tmp_path, kind):
    """A missing token file is not fatal when SetCredential= with the same ID follows LoadCredential=."""
    _, text = printed_unit(capsys, tmp_path, kind)
    loaded = re.findall(r"^LoadCredential=([\w-]+):(/\S+)$", text, re.M)
    assert {name for name, _ in loaded} == {"google-token", "caldav-password"}
    for name, _ in loaded:
        assert f"\nSetCredential={name}:\\n\n" in text


def test_unit_contract(capsys, tmp_path):
    unit, text = printed_unit(capsys, tmp_path, "system")
    for line in ["Type=notify", "DynamicUser=yes", "StateDirectory=calsync", "ConfigurationDirectory=calsync",
                 "LoadCredential=google-token:", "Restart=on-failure", "RestartPreventExitStatus=77 78", "WatchdogSec=",
                 "UMask=0077", "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                 "--config ${CONFIGURATION_DIRECTORY}/calsync.toml run"]:
        assert line in text
    exec_start = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
    assert exec_start.endswith("/calsync") and shutil.which(exec_start), "ExecStart names this installation's calsync"
    _, template = printed_unit(capsys, tmp_path, "template")
    assert "StateDirectory=calsync/%i" in template and "${CONFIGURATION_DIRECTORY}/%i.toml" in template


def test_empty_credential_means_no_google_token(tmp_path, monkeypatch):
    from calsync.config import build_config
    from calsync.google.auth import token_path

    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    (tmp_path / "google-token").write_bytes(b"\n")  # what SetCredential=google-token:\\n leaves
    config = build_config({"state_dir": str(tmp_path / "state")})
    assert token_path(config) == tmp_path / "state" / "google-token.json"
    (tmp_path / "google-token").write_text("{}")
    assert token_path(config) == tmp_path / "google-token"
