import datetime as dt

import pytest

from calsync.config import build_config, load_config
from calsync.errors import ConfigError


def problems(data):
    with pytest.raises(ConfigError) as info:
        build_config(data)
    return info.value.problems


def test_defaults():
    config = build_config({"timezone": "Europe/Berlin"})
    assert config.plan.business.region == "US"
    assert config.plan.cutoff == dt.time(15, 0)
    assert config.plan.rules.check_in_time == dt.time(10, 0)
    assert config.plan.match.tags == ("#interview",)


def test_every_problem_reported_at_once_with_its_path():
    found = problems({
        "timezone": "Mars/Olympus",
        "business": {"close": "25:00", "region": "XX", "extra_holidays": ["2026-13-01"], "colour": "red"},
        "rules": {"check_in_channel": "fax", "check_in_wait_business_days": 0},
        "match": {"summary_regex": "(", "tags": "interview"},
        "sources": [{"path": "a.ics", "url": "https://x"}, {"type": "exchange"}],
        "mystery": 1,
    })
    text = "\n".join(found)
    for expected in ["timezone: unknown time zone 'Mars/Olympus'", "business.close: expected HH:MM", "business.region: unknown region 'XX'",
                     "business.extra_holidays[0]: expected a date", "business.colour: unknown key",
                     "rules.check_in_channel: expected 'call' or 'email'", "rules.check_in_wait_business_days: expected a whole number >= 1",
                     "match.summary_regex: not a valid regular expression", "match.tags: expected a list of strings",
                     "sources[0]: give exactly one of path or url", "sources[1].type: expected 'ics', 'google' or 'caldav'", "mystery: unknown key"]:
        assert expected in text


def test_toml_dates_and_strings_both_work_for_extra_days():
    config = build_config({"business": {"extra_holidays": [dt.date(2026, 12, 24), "2026-12-31"]}})
    assert config.plan.business.extra_holidays == {dt.date(2026, 12, 24), dt.date(2026, 12, 31)}


def test_relative_source_paths_resolve_against_the_config_file(tmp_path):
    (tmp_path / "c.toml").write_text('[[sources]]\npath = "cal/interviews.ics"\n')
    config = load_config(tmp_path / "c.toml")
    assert config.sources[0].location == str(tmp_path / "cal" / "interviews.ics")


def test_invalid_toml_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("timezone = \n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(bad)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "none.toml")


def test_demanding_template_gets_a_warning_naming_the_phrase():
    config = build_config({"drafts": {"templates": {"check_in": "Please reply ASAP, I expect an answer."}}})
    assert any("'asap'" in w for w in config.warnings) and any("'i expect'" in w for w in config.warnings)
    assert build_config({"drafts": {"templates": {"check_in": "Hi {first_name}, any news?"}}}).warnings == ()


def test_unknown_template_kind_is_an_error():
    assert "drafts.templates.thanks: unknown key" in problems({"drafts": {"templates": {"thanks": "x"}}})


def test_example_and_demo_configs_load():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "config"
    for name in ("calsync.example.toml", "demo.toml"):
        load_config(root / name)


def test_caldav_keys_resolve_password_files_and_refuse_passwords(tmp_path):
    file = tmp_path / "calsync.toml"
    file.write_text('[[sources]]\nname = "nc"\ntype = "caldav"\nurl = "https://cloud.example.com/remote.php/dav/calendars/robin/personal/"\n'
                    'username = "robin"\npassword_file = "caldav-password"\n'
                    '[caldav]\nsink = true\nurl = "https://cloud.example.com/remote.php/dav/"\nusername = "robin"\ntodos = true\n')
    config = load_config(file)
    source = config.sources[0]
    assert (source.kind, source.username, source.password_file) == ("caldav", "robin", str(tmp_path / "caldav-password"))
    assert config.caldav.sink and config.caldav.todos and config.caldav.password_file == ""
    assert config.caldav.calendar_name == "Job search follow-ups"
    found = "\n".join(problems({"sources": [{"type": "caldav", "password": "hunter2"}],
                                "caldav": {"sink": True, "calendar_url": "https://robin:hunter2@cal.example/"}}))
    assert "sources[0].url: required" in found
    assert "sources[0].password: passwords are never kept in the configuration" in found
    assert "caldav.calendar_url: no credentials in URLs; use username and password_file" in found
    assert "hunter2" not in found
