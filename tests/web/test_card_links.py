"""Follow-up descriptions end with a link to their card when the board is reachable from other devices."""
import re

import pytest

from calsync.cli.main import main
from calsync.core.links import CARD_LINK_LABEL, due_before_card_link
from tests.conftest import calendar, vevent


def unescaped_descriptions(feed: str) -> dict[str, str]:
    """UID -> DESCRIPTION of every VEVENT, unfolded and unescaped."""
    unfolded = feed.replace("\r\n ", "")
    found = {}
    for block in unfolded.split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"\r\nUID:([^\r]+)", block).group(1)
        text = re.search(r"\r\nDESCRIPTION:([^\r]+)", block).group(1)
        found[uid] = text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    return found


@pytest.mark.parametrize("feed_table, linked", [
    ('public_url = "https://jobs.example.net/cal"', "https://jobs.example.net/cal/"),
    ('bind = "0.0.0.0"\nport = 9999', ":9999/"),
    ('bind = "127.0.0.1"', None),
])
def test_descriptions_end_with_the_card_link_only_when_reachable(tmp_path, capsys, monkeypatch, feed_table, linked):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    ics = tmp_path / "cal.ics"
    ics.write_bytes(calendar(vevent("acme-1", "20261201T100000", "20261201T110000", summary="Onsite #interview",
                                    description="Company: Acme\nContact: Jane <jane@acme.example>")))
    config = tmp_path / "calsync.toml"
    config.write_text(f'timezone = "America/Los_Angeles"\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "cal"\npath = "{ics}"\n[feed]\n{feed_table}\n')
    assert main(["--config", str(config), "run", "--once", "--now", "2026-11-25T12:00"]) == 0
    capsys.readouterr()
    descriptions = unescaped_descriptions((tmp_path / "state" / "followups.ics").read_bytes().decode())
    assert descriptions
    token = (tmp_path / "state" / "feed-token").read_text().strip() if linked else None
    for uid, text in descriptions.items():
        fid = uid.split("@")[0]
        last = text.rstrip().splitlines()[-1]
        if linked:
            assert last.startswith(CARD_LINK_LABEL) and last.endswith(f"/{token}/#f-{fid}") and linked in last
            assert "Due: " in text  # the sink's own line stays, before the link
        else:
            assert CARD_LINK_LABEL not in text and last.startswith("Due: ")
    assert main(["--config", str(config), "feed-url"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("/followups.ics") and "board" in err and out.strip().removesuffix("followups.ics") in err


def test_due_line_goes_before_the_link():
    linked = f"Hi\n\n{CARD_LINK_LABEL}http://h/t/#f-1"
    assert due_before_card_link(linked, "Due: x") == f"Hi\n\nDue: x\n\n{CARD_LINK_LABEL}http://h/t/#f-1"
    assert due_before_card_link("Hi", "Due: x") == "Hi\n\nDue: x"
