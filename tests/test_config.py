import datetime as dt
from pathlib import Path

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
    assert "sources[1]: give exactly one" not in text  # an unknown type is one problem, not two
    for expected in ["timezone: unknown time zone 'Mars/Olympus'", "business.close: expected HH:MM", "business.region: unknown region 'XX'",
                     "business.extra_holidays[0]: expected a date", "business.colour: unknown key",
                     "rules.check_in_channel: expected 'call' or 'email'", "rules.check_in_wait_business_days: expected a whole number >= 1",
                     "match.summary_regex: not a valid regular expression", "match.tags: expected a list of strings",
                     "sources[0]: give exactly one of path or url", "sources[1].type: expected one of 'ics', 'google',", "mystery: unknown key"]:
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

    root = Path(__file__).resolve().parent.parent
    for path in (root / "calsync" / "data" / "calsync.example.toml", root / "config" / "demo.toml"):
        load_config(path)


# The schema: everything check-config accepts, run can run; check-config's TOML loads back unchanged.

import math
import tomllib

from hypothesis import given, strategies as st

from calsync.cli.main import main
from calsync.config.render import render_config, render_starter
from calsync.config.schema import SCHEMA, TEMPLATE_FIELDS


@pytest.mark.parametrize("template, message", [
    ("Hi {0}", "unknown field {0}"),
    ("Hi {", "not a valid template"),
    ("Hi }", "not a valid template"),
    ("{name!z}", "conversions and format specs are not supported"),
    ("{name!r}", "conversions and format specs are not supported"),
    ("{name[99]}", "unknown field {name[99]}"),
    ("{name.__class__}", "unknown field"),
    ("{name:>999999999}", "conversions and format specs are not supported"),
    ("{}", "unknown field {}"),
    ("{nmae}", "unknown field {nmae}"),
])
def test_templates_are_parsed_and_test_rendered_at_load(template, message):
    found = "\n".join(problems({"drafts": {"templates": {"check_in": template}}}))
    assert "drafts.templates.check_in: " in found and message in found


def test_every_template_field_renders():
    body = " ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS)) + " {{literal}}"
    assert dict(build_config({"drafts": {"templates": {"thank_you": body}}}).plan.drafts.templates)["thank_you"] == body


def test_template_fields_are_the_ones_drafts_fill():
    from calsync.core.drafts import draft_fields
    from calsync.core.settings import DraftSettings
    from tests.conftest import calendar, plan_ics, vevent

    now = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
    interview = plan_ics(calendar(vevent("u1", "20261201T100000", "20261201T110000")), now).interviews[0]
    assert set(draft_fields(interview, DraftSettings())) == TEMPLATE_FIELDS


@pytest.mark.parametrize("value, message", [
    (math.nan, "expected a finite duration"), (math.inf, "expected a finite duration"), (-math.inf, "expected a finite duration"),
    ("99999999999999999d", "expected a duration such as"), ("99999d", "expected a duration from 1s to"),
    (0, "expected a positive duration"), ("-5m", "expected a duration such as"), (True, "expected a duration"),
    ("0.5s", "expected a duration such as"), (10 ** 30, "expected a duration from"),
])
def test_intervals_are_finite_and_bounded(value, message):
    for data in ({"poll_interval": value}, {"sources": [{"path": "a.ics", "interval": value}]}, {"limits": {"total_timeout": value}}):
        assert message in "\n".join(problems(data))


@pytest.mark.parametrize("data, message", [
    ({"google": {"reminder_minutes": ["abc"]}}, "google.reminder_minutes[0]: expected a whole number, got 'abc'"),
    ({"google": {"reminder_minutes": [99999999]}}, "google.reminder_minutes[0]: expected a whole number <= 40320"),
    ({"google": {"reminder_minutes": [1, 2, 3, 4, 5, 6]}}, "google.reminder_minutes: expected at most 5 items"),
    ({"google": {"reminder_minutes": 10}}, "google.reminder_minutes: expected a list"),
    ({"feed": {"bind": "999.1.1.1"}}, "feed.bind: expected an IP address"),
    ({"feed": {"bind": "example.com"}}, "feed.bind: expected an IP address"),
    ({"feed": {"port": 70000}}, "feed.port: expected a whole number <= 65535"),
    ({"feed": {"public_url": "ftp://x"}}, "feed.public_url: only http://, https:// and webcal:// URLs"),
    ({"feed": {"alarm_minutes": -1}}, "feed.alarm_minutes: expected a whole number >= 0"),
    # RE2 runs nested repeats in linear time; Python's engine (for lookarounds) refuses them
    ({"match": {"summary_regex": "(?=a)^(a+)+$"}}, "match.summary_regex: could take very long to match: it has a repeat inside a repeat"),
    ({"match": {"summary_regex": "(?<!w)(x*y?)*z"}}, "match.summary_regex: could take very long to match: it has a repeat inside a repeat"),
    ({"match": {"tags": [["#interview"]]}}, "match.tags[0]: expected a string"),
    ({"sources": [{"url": "https://example.com:99999/x.ics"}]}, "sources[0].url: not a valid URL"),
    ({"sources": "x"}, "sources: expected an array of tables"),
    ({"match": 3}, "match: expected a table"),
    ({"limits": {"max_bytes": 10 ** 40}}, "limits.max_bytes: expected a whole number <="),
    ({"state_dir": ""}, "state_dir: expected a non-empty path"),
])
def test_bad_values_are_refused_with_their_place(data, message):
    assert message in "\n".join(problems(data))


def test_good_values_pass():
    config = build_config({"feed": {"bind": "::"}, "match": {"summary_regex": "(?i)^(onsite|phone screen)\\s+\\w+"},
                           "google": {"reminder_minutes": [0, 30]}, "poll_interval": 90})
    assert config.feed.bind == "::" and config.google.reminder_minutes == (0, 30) and config.poll_interval == 90.0


def test_deeply_nested_toml_is_one_clear_problem(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("me = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="deep.toml: .*nested too deeply|deep.toml: me"):
        load_config(deep)
    shallow = tmp_path / "shallow.toml"
    shallow.write_text("me = " + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(ConfigError, match="me\\[0\\]: expected a string"):
        load_config(shallow)


def _roundtrip(tmp_path, data):
    first = build_config(data, tmp_path / "first.toml")
    text = render_config(first, show_secrets=True)
    tomllib.loads(text)  # valid TOML
    (tmp_path / "second.toml").write_text(text, encoding="utf-8")
    second = load_config(tmp_path / "second.toml")
    assert second.plan == first.plan and second.sources == first.sources and second.feed == first.feed
    assert (second.google, second.fetch, second.ics_limits, second.state_dir, second.poll_interval) == \
           (first.google, first.fetch, first.ics_limits, first.state_dir, first.poll_interval)
    assert render_config(second, show_secrets=True).splitlines()[1:] == text.splitlines()[1:]
    return text


def test_check_config_round_trips_the_example_and_every_kind(tmp_path):
    example = tomllib.loads((Path(__file__).resolve().parent.parent / "calsync" / "data" / "calsync.example.toml").read_text())
    _roundtrip(tmp_path, example)
    _roundtrip(tmp_path, {
        "timezone": "Asia/Kolkata", "me": ["A@x.example", "quote\"back\\slash\ttab\u0007bell\u007fdel é 🎉"],
        "poll_interval": 0.25 * 8, "state_dir": "st",
        "sources": [{"url": "https://user:pw@example.com/private-abc/basic.ics?x=1", "interval": "2h"},
                    {"type": "google", "calendar_id": "x@group.calendar.google.com"}, {"path": "~/cal.ics", "name": "home"},
                    {"type": "sample", "interval": "1h"}],
        "business": {"extra_holidays": ["2026-12-24", dt.date(2026, 12, 31)], "start": dt.time(8, 30)},
        "rules": {"same_day_cutoff": "14:00", "check_in_channel": "email"},
        "drafts": {"signature": "Robin\nExample", "templates": {"check_in": "{greeting}\n\nAny news on {the_role}? {{ok}}"}},
        "feed": {"bind": "0.0.0.0", "public_url": "https://cal.example.net/", "todos": True, "port": 0},
        "google": {"reminder_minutes": [], "sink": True},
    })
    _roundtrip(tmp_path, {
        "sources": [{"type": "caldav", "url": "https://cloud.example.com/dav/calendars/robin/personal/", "username": "robin",
                     "password_file": "pw"}],
        "caldav": {"sink": True, "url": "https://cloud.example.com/dav/", "password_file": "", "todos": True},
    })


@given(st.lists(st.text(max_size=30), max_size=4), st.text(max_size=60), st.integers(0, 65535), st.integers(1, 30 * 86400))
def test_round_trip_holds_for_any_text_and_number(tmp_path_factory, me, signature, port, seconds):
    _roundtrip(tmp_path_factory.mktemp("rt"), {"me": me, "drafts": {"signature": signature}, "feed": {"port": port},
                                               "poll_interval": seconds})


def test_check_config_hides_secret_urls_unless_asked(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[sources]]\nurl = "https://u:s3cr3t@cal.example/x.ics?token=hunter2"\n')
    assert main(["check-config", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "s3cr3t" not in out and "hunter2" not in out and "shortened" in out and f"resolved from: {cfg}" in out
    assert main(["check-config", "--config", str(cfg), "--show-secrets"]) == 0
    assert "hunter2" in capsys.readouterr().out


def test_check_config_refuses_what_run_would_die_on(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('poll_interval = nan\n[feed]\nbind = "999.1.1.1"\n[drafts.templates]\ncheck_in = "Hi {0}"\n')
    assert main(["check-config", "--config", str(cfg)]) == 78
    err = capsys.readouterr().err
    assert "poll_interval" in err and "feed.bind" in err and "drafts.templates.check_in" in err


def test_starter_config_loads_and_names_every_key(tmp_path):
    text = render_starter("Europe/Berlin", "interviews.ics")
    (tmp_path / "c.toml").write_text(text)
    config = load_config(tmp_path / "c.toml")
    assert config.plan.zone.key == "Europe/Berlin" and config.sources[0].location == str(tmp_path / "interviews.ics")
    for table in SCHEMA.tables:
        for key in table.keys:
            assert f"{key.name} =" in text or not key.help, key.name
    load_config_text = render_starter("UTC")
    (tmp_path / "d.toml").write_text(load_config_text)
    assert load_config(tmp_path / "d.toml").sources == ()


def test_example_config_documents_every_key():
    text = (Path(__file__).resolve().parent.parent / "calsync" / "data" / "calsync.example.toml").read_text()
    for table in SCHEMA.tables:
        assert (f"[{table.name}]" in text) if table.name else True
        for key in table.keys:
            assert f"{key.name} =" in text or not key.help, f"{table.name}.{key.name} missing from the example config"


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


_TEMPLATE_BITS = st.sampled_from(["{", "}", "{{", "}}", "!r", "!z", ":", ">9", "[0]", ".x", "0", "name", "first_name",
                                  "greeting", "company", "date", "Hi ", "\n", "é"])


@given(st.lists(_TEMPLATE_BITS, max_size=12).map("".join),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10 ** 20), st.text(max_size=12)))
def test_what_the_loader_accepts_the_planner_can_run(template, interval):
    """Everything check-config accepts, run can run: a template or interval either fails at load or plans cleanly."""
    from tests.conftest import calendar, plan_ics, vevent

    data = {"drafts": {"templates": {"thank_you": template, "check_in": template}}, "poll_interval": interval,
            "rules": {"check_in_channel": "email"}}
    try:
        config = build_config(data)
    except ConfigError:
        return
    assert math.isfinite(config.poll_interval) and 1 <= config.poll_interval <= 30 * 86400
    now = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    ics = calendar(vevent("u1", "20261201T100000", "20261201T110000", description="Contact: Jane <j@x.example>"))
    result = plan_ics(ics, now, data)
    assert any(f.kind.value == "thank_you" for f in result.plan.followups)
