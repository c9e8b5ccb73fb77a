"""`calsync doctor` covers CalDAV accounts: the password file, the login, the calendars."""
from calsync.cli.main import main
from tests.caldav.conftest import password_file
from tests.caldav.radicale_server import USER
from tests.conftest import calendar, vevent


def write_config(tmp_path, radicale, url):
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "nc"\ntype = "caldav"\nurl = "{url}"\nusername = "{USER}"\npassword_file = "caldav-password"\n'
                      f'[caldav]\nsink = true\nurl = "{radicale.url}"\nusername = "{USER}"\npassword_file = "caldav-password"\n')
    return config


def test_doctor_logs_in_reads_the_source_and_finds_the_calendar_without_making_it(tmp_path, radicale, capsys):
    url = radicale.make_calendar("interviews")
    radicale.put("/robin/interviews/a.ics", calendar(vevent("a", "20261201T100000", "20261201T110000")))
    password_file(tmp_path)
    config = write_config(tmp_path, radicale, url)
    main(["--config", str(config), "doctor"])
    out = capsys.readouterr().out
    assert "ok   source nc: 1 events over CalDAV" in out
    assert "ok   CalDAV robin@127.0.0.1" in out and "will be created on the first pass" in out
    assert [op.method for op in radicale.log].count("MKCALENDAR") == 1  # only the test's own

    password_file(tmp_path, "wrong").chmod(0o644)
    main(["--config", str(config), "doctor"])
    out = capsys.readouterr().out
    assert "BAD  source nc: CalDAV robin@127.0.0.1" in out and "refused the login" in out
    assert "is readable by others (mode 644)" in out and "chmod 600" in out
