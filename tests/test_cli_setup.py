"""Config discovery, one state for CLI and service, `init`, completion, and the README's system-service steps in a fake root."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from calsync.cli.main import main
from tests.conftest import calendar, vevent, wait_for

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def places(monkeypatch):
    """The discovery locations this test sees (set by tests/conftest.py's autouse fixture)."""
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "calsync" / "calsync.toml"
    system = Path(os.environ["CALSYNC_SYSTEM_ROOT"]) / "etc" / "calsync" / "calsync.toml"
    monkeypatch.setenv("XDG_STATE_HOME", str(user.parent.parent.parent / "state"))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    return user, system


@pytest.mark.parametrize("present, expected", [
    (("flag", "env", "user", "system"), "flag"), (("env", "user", "system"), "env"),
    (("user", "system"), "user"), (("system",), "system"), ((), None),
])
def test_discovery_order(capsys, tmp_path, monkeypatch, places, present, expected):
    user, system = places
    files = {"flag": tmp_path / "flag.toml", "env": tmp_path / "env.toml", "user": user, "system": system}
    for name in present:
        write(files[name], f'timezone = "UTC"\nme = ["{name}@example.com"]\n')
    if "env" in present:
        monkeypatch.setenv("CALSYNC_CONFIG", str(files["env"]))
    argv = ["--config", str(files["flag"])] if "flag" in present else []
    code, out, _ = run(capsys, *argv, "check-config")
    assert code == 0
    header = out.splitlines()[0]
    if expected is None:
        assert "built-in defaults" in header and "me = []" in out
    else:
        assert str(files[expected]) in header and f'"{expected}@example.com"' in out


def test_verbose_and_doctor_say_which_file(capsys, places):
    user, _ = places
    write(user, 'timezone = "UTC"\n[feed]\nport = 0\n')
    code, _, err = run(capsys, "--verbose", "status")
    assert code == 0 and f"configuration: {user} (the user configuration)" in err
    _, out, _ = run(capsys, "doctor")
    assert f"configuration {user} (the user configuration) is valid" in out


def test_no_second_state_beside_the_service(capsys, places):
    _, system = places
    service = system.parents[2] / "var" / "lib" / "private" / "calsync"
    service.mkdir(parents=True)
    (service / "state.sqlite3").write_bytes(b"")
    for command in (["feed-url"], ["mark", "acme", "offer"], ["run", "--once", "--no-serve"]):
        code, _, err = run(capsys, *command)
        assert code == 1 and f"the system service keeps its state in {service}" in err, err
    assert not (Path(os.environ["XDG_STATE_HOME"]) / "calsync").exists()


def test_init_writes_a_starter_and_refuses_to_overwrite(capsys, places, tmp_path):
    user, _ = places
    code, out, _ = run(capsys, "init", "--source", str(tmp_path / "cal.ics"))
    assert code == 0 and f"wrote {user}" in out and "next: calsync run --once" in out
    assert user.stat().st_mode & 0o777 == 0o600
    code, out, _ = run(capsys, "check-config")
    assert code == 0 and str(tmp_path / "cal.ics") in out
    code, _, err = run(capsys, "init")
    assert code == 1 and "exists" in err and "--force" in err


def test_init_prints_the_example_and_completion(capsys):
    code, out, _ = run(capsys, "init", "--print-example")
    assert code == 0 and "[[sources]]" in out and "[caldav]" in out
    for shell, marker, option in (("bash", "complete", "--upcoming"), ("zsh", "#compdef", "--upcoming"),
                                  ("fish", "complete -c calsync", "-l upcoming")):
        code, out, _ = run(capsys, "completion", shell)
        assert code == 0 and marker in out and "check-config" in out and option in out


def test_no_arguments_prints_help_and_exits_2(capsys):
    code, out, err = run(capsys)
    assert code == 2 and "usage: calsync" in err and out == ""
    with pytest.raises(SystemExit) as info:
        main(["status", "--no-such-flag"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["-V"])
    assert info.value.code == 0 and "calsync" in capsys.readouterr().out


def test_readme_system_service_in_a_fake_root(capsys, places, tmp_path):
    """README "System service": init --system, the service with systemd's environment, then `feed-url` as root."""
    user, system = places
    root = system.parents[2]
    etc = system.parent
    # sudo calsync init --system --source /etc/calsync/interviews.ics
    ics = write(etc / "interviews.ics", "")
    ics.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview")))
    code, out, _ = run(capsys, "init", "--system", "--source", str(ics))
    assert code == 0 and f"wrote {system}" in out and "--print-unit system" in out
    system.write_text(system.read_text().replace("\n[feed]\n", "\n[feed]\nport = 0\n"))  # any free port
    # What systemd gives the service (StateDirectory=calsync, DynamicUser=yes, ConfigurationDirectory=calsync).
    private = root / "var" / "lib" / "private" / "calsync"
    private.mkdir(parents=True, mode=0o700)
    (root / "var" / "lib" / "calsync").symlink_to(private)
    env = {**os.environ, "STATE_DIRECTORY": str(root / "var" / "lib" / "calsync"), "CONFIGURATION_DIRECTORY": str(etc)}
    service = subprocess.Popen([sys.executable, "-m", "calsync", "--config", f"{etc}/calsync.toml", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: service.poll() is not None or ((private / "followups.ics").exists() and (private / "state.sqlite3").exists()))
        assert service.poll() is None, service.communicate()[1]
        # sudo calsync feed-url (no --config: the system configuration is found, and its state_dir is the service's)
        def bound_url():
            code, out, _ = run(capsys, "feed-url")
            return out.strip() if code == 0 and ":0/" not in out else None
        url = wait_for(bound_url)
        assert url, "feed-url never printed a bound URL"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read()
        assert response.status == 200 and b"BEGIN:VCALENDAR" in body and b"acme-1" in body
        assert not (Path(os.environ["XDG_STATE_HOME"]) / "calsync").exists(), "no second state in root's home"
        code, out, _ = run(capsys, "status")
        assert code == 0 and "Onsite" in out
    finally:
        service.terminate()
        service.communicate(timeout=30)


@pytest.mark.parametrize("today", ["2026-11-27", "2027-01-04", "2027-12-31", "2030-07-15", "2031-02-28"])
def test_the_demo_is_current_in_any_month(capsys, tmp_path, today):
    import json

    demo = (ROOT / "config" / "demo.toml").read_text().replace('"../.calsync-demo"', f'"{tmp_path / "demo"}"')
    config = write(tmp_path / "demo.toml", demo)
    code, out, _ = run(capsys, "--config", str(config), "plan", "--now", f"{today}T09:00", "--json")
    assert code == 0
    followups = json.loads(out)["followups"]
    starts = sorted(f["start"][:10] for f in followups)
    assert len(followups) >= 15 and starts[0] > today, starts
    kinds = {f["kind"] for f in followups}
    assert kinds >= {"thank_you", "check_in", "second_check_in", "feedback_request", "application_follow_up"}


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: it checks what root's commands leave in a service's state")
def test_root_hands_the_service_state_back_to_its_owner(capsys, tmp_path):
    """Under DynamicUser the state belongs to the service's user; `sudo calsync feed-url` must not leave root's files there."""
    state = tmp_path / "private" / "calsync"
    state.mkdir(parents=True)
    os.chown(state, 61234, 61234)
    ics = write(tmp_path / "cal.ics", "")
    ics.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview")))
    config = write(tmp_path / "c.toml", f'timezone = "UTC"\nstate_dir = "{state}"\n[[sources]]\npath = "{ics}"\n')
    for argv in (["run", "--once", "--no-serve", "--now", "2026-11-25T12:00"], ["feed-url"], ["rotate-feed-token"],
                 ["mark", "acme", "offer"]):
        assert run(capsys, "--config", str(config), *argv)[0] == 0
    owners = {p.name: p.lstat().st_uid for p in state.iterdir()}
    assert owners and set(owners.values()) == {61234}, owners


def test_sighup_rereads_the_discovered_file(tmp_path):
    """`calsync run` without --config (found via $CALSYNC_CONFIG) reloads that file, and refuses a bad template on reload."""
    import signal

    ics = write(tmp_path / "cal.ics", "")
    ics.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview")))
    config = write(tmp_path / "c.toml", f'timezone = "UTC"\nstate_dir = "{tmp_path / "state"}"\n[[sources]]\npath = "{ics}"\n'
                                        '[feed]\nport = 0\n')
    log = tmp_path / "stderr.log"
    with log.open("w") as errors:
        service = subprocess.Popen([sys.executable, "-m", "calsync", "run"], cwd=ROOT, env={**os.environ, "CALSYNC_CONFIG": str(config)},
                                   stdout=subprocess.DEVNULL, stderr=errors)
    try:
        assert wait_for(lambda: service.poll() is not None or (tmp_path / "state" / "followups.ics").exists())
        assert service.poll() is None, log.read_text()
        config.write_text(config.read_text() + '[drafts.templates]\ncheck_in = "Hi {0}"\n')
        service.send_signal(signal.SIGHUP)
        assert wait_for(lambda: service.poll() is not None or "reload refused" in log.read_text())
        assert service.poll() is None, log.read_text()
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
    text = log.read_text()
    assert service.returncode == 0, text
    assert "reload refused, keeping the running configuration" in text and "drafts.templates.check_in: unknown field {0}" in text, text
