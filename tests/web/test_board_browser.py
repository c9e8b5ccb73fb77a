"""The board in a real browser: Debian's Chromium driven by Playwright, against a real `calsync run` on 127.0.0.1.

Never `playwright install` (it downloads browsers); the system's /usr/bin/chromium is used. Under CI (env CI
set) a missing browser fails these tests; on a developer machine without Chromium they are skipped.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.web.conftest import wait_for

CHROMIUM = Path(os.environ.get("CALSYNC_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium chromium-driver; .ci/run does)"
    return ""


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run under CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def card(page, company: str):
    return page.get_by_role("article", name=re.compile(re.escape(company)))


def kinds_in_feed(running, company_uid: str) -> set[str]:
    unfolded = running.feed().replace("\r\n ", "")
    blocks = [b for b in unfolded.split("BEGIN:VEVENT")[1:] if f"X-CALSYNC-INTERVIEW:{company_uid}\r\n" in b]
    return {re.search(r"X-CALSYNC-KIND:(\w+)", b).group(1) for b in blocks}


def acme_uid(page) -> str:
    return card(page, "Acme Robotics").locator("input[name=uid]").get_attribute("value")


def test_the_demo_interviews_appear_as_cards_with_their_followups(calsync_run, page):
    page.goto(calsync_run.url)
    for company in ("Acme Robotics", "Globex", "Initech", "Umbrella Health", "Vandelay Industries"):
        article = card(page, company)
        assert article.count() == 1, company
    acme = card(page, "Acme Robotics")
    assert acme.get_by_role("listitem").count() >= 2  # thank-you, check-in …
    for name in ("Responded", "Rejected", "Form rejection", "Offer", "Withdrawn"):
        assert acme.get_by_role("button", name=name, exact=True).count() == 1
    first = acme.get_by_role("listitem").first
    assert first.get_by_role("button", name="Done", exact=True).count() == 1
    assert first.get_by_role("link", name="Open draft").get_attribute("href").startswith("mailto:jane.doe@acme.example")
    assert page.get_by_text("Closed — Rejected").count() >= 1  # Umbrella's outcome read from the event


def test_rejected_then_undo_with_javascript(calsync_run, page):
    page.goto(calsync_run.url)
    uid = acme_uid(page)
    assert {"thank_you", "check_in"} <= kinds_in_feed(calsync_run, uid)
    card(page, "Acme Robotics").get_by_role("button", name="Rejected", exact=True).click()
    wait_for(lambda: "Closed — Rejected" in card(page, "Acme Robotics").inner_text(), what="the card to close")
    assert page.evaluate("document.body.dataset.swapped") == "1"  # swapped in place, no reload
    kinds = kinds_in_feed(calsync_run, uid)  # the POST returned after the pass: the feed has it already
    assert "feedback_request" in kinds and not kinds & {"check_in", "second_check_in"}
    assert card(page, "Acme Robotics").get_by_role("heading", name="Feedback request").count() == 1
    page.get_by_role("button", name="Undo", exact=True).click()
    wait_for(lambda: "Closed" not in card(page, "Acme Robotics").inner_text(), what="undo to reopen the card")
    kinds = kinds_in_feed(calsync_run, uid)
    assert "check_in" in kinds and "feedback_request" not in kinds


def test_done_and_undo_without_javascript(calsync_run, browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(calsync_run.url)
        thank_you = card(page, "Acme Robotics").get_by_role("listitem").filter(has_text="Thank-you note")
        fid = thank_you.get_attribute("id")[2:]
        thank_you.get_by_role("button", name="Done", exact=True).click()  # a plain form POST, 303, a fresh page
        page.wait_for_load_state()
        item = page.locator(f"li#f-{fid}")
        assert "done" in item.get_attribute("class") and item.get_by_role("button", name="Done").count() == 0
        with calsync_run.db() as db:
            assert db.execute("SELECT count(*) FROM done WHERE fid=?", (fid,)).fetchone()[0] == 1
        assert "SUMMARY:✓ " in calsync_run.feed()
        page.get_by_role("button", name="Undo", exact=True).click()
        page.wait_for_load_state()
        assert "pending" in page.locator(f"li#f-{fid}").get_attribute("class")
        with calsync_run.db() as db:
            assert db.execute("SELECT count(*) FROM done WHERE fid=?", (fid,)).fetchone()[0] == 0
    finally:
        context.close()


def test_a_forged_post_from_another_origin_is_refused(calsync_run, page):
    page.goto(calsync_run.url)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    uid = acme_uid(page)
    # Another site (a page served from a data: URL) posts to the board with a real CSRF token even.
    attack = (f'<form method="post" action="{calsync_run.url}mark"><input name="csrf" value="{csrf}">'
              f'<input name="uid" value="{uid}"><input name="outcome" value="offer"></form>'
              '<script>document.forms[0].submit()</script>')
    with page.expect_navigation():
        page.goto("data:text/html," + attack)
    assert "refused" in page.content()
    with calsync_run.db() as db:
        assert db.execute("SELECT count(*) FROM marks").fetchone()[0] == 0


def test_phone_width_has_no_horizontal_scroll(calsync_run, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(calsync_run.url)
        card(page, "Acme Robotics").locator("details").first.click()  # an open draft is the widest thing
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.evaluate("document.body.scrollWidth") <= 360
    finally:
        context.close()
