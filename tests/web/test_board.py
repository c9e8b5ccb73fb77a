"""The board over HTTP against a real `calsync run`: headers, escaping, CSRF and origin checks, actions."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.web.conftest import start_calsync, stop_calsync, wait_for

EVIL = ("BEGIN:VEVENT\r\nUID:evil-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/Los_Angeles:20261130T100000\r\n"
        "DTEND;TZID=America/Los_Angeles:20261130T110000\r\nSUMMARY:Interview #interview\r\n"
        "DESCRIPTION:Company: <script>alert(1)</script>\\nRole: \"><img src=x onerror=alert(2)>\r\nEND:VEVENT\r\n")


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def uid_of(page: str, company: str) -> str:
    card = page[page.index(company):]
    return re.search(r'name="uid" value="([^"]+)"', card).group(1)


def post(running, action: str, fields: dict[str, str], **headers: str):
    body = urlencode(fields).encode()
    base_headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": f"127.0.0.1:{running.port}"}
    return running.request("POST", f"{running.base}{action}", body, {**base_headers, **headers})


def kinds_of(feed: str, uid: str) -> set[str]:
    """The follow-up kinds the served feed holds for one interview."""
    unfolded = feed.replace("\r\n ", "")
    blocks = [b for b in unfolded.split("BEGIN:VEVENT")[1:] if f"X-CALSYNC-INTERVIEW:{uid}\r\n" in b]
    return {re.search(r"X-CALSYNC-KIND:(\w+)", b).group(1) for b in blocks}


def marks(running) -> list[tuple]:
    with running.db() as db:
        return db.execute("SELECT uid, kind FROM marks").fetchall()


def test_page_headers_and_no_external_resources(calsync_run):
    response, body = calsync_run.request("GET", calsync_run.base)
    page = body.decode()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/html")
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("Referrer-Policy") == "no-referrer"
    csp = response.getheader("Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert url.startswith(calsync_run.base) or url.startswith("mailto:"), url
    assert "<style" not in page and "style=" not in page and "<script>" not in page  # nothing inline for the CSP to block
    for name in ("board.css", "board.js"):
        static = calsync_run.request("GET", f"{calsync_run.base}static/{name}")[0]
        assert static.status == 200
    assert calsync_run.request("GET", "/wrong-token/")[0].status == 404
    assert calsync_run.request("GET", "/wrong-token/static/board.js")[0].status == 404


def test_a_forged_post_is_refused_and_changes_nothing(calsync_run):
    page = calsync_run.request("GET", calsync_run.base)[1].decode()
    uid, token = uid_of(page, "Acme Robotics"), csrf_of(page)
    same = {"Origin": f"http://127.0.0.1:{calsync_run.port}"}
    refusals = [
        post(calsync_run, "mark", {"uid": uid, "outcome": "rejected"}, **same),  # no CSRF token
        post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": token + "x"}, **same),
        post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": token}, Origin="http://evil.example"),
        post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": token}, **{"Sec-Fetch-Site": "cross-site"}),
        post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": token}),  # says nothing of its origin
    ]
    assert [r.status for r, _ in refusals] == [403] * 5
    assert all(r.getheader("Cache-Control") == "no-store" for r, _ in refusals)
    assert marks(calsync_run) == []
    assert calsync_run.request("GET", f"{calsync_run.base}mark")[0].status == 405
    assert post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": token}, **same)[0].status == 303
    assert marks(calsync_run) == [(uid, "rejected")]
    wrong = calsync_run.request("POST", f"/not-the-token/mark", urlencode({"uid": uid, "csrf": token}).encode(), same)
    assert wrong[0].status == 404


def test_rejected_from_the_board_changes_the_feed_before_the_redirect(calsync_run):
    page = calsync_run.request("GET", calsync_run.base)[1].decode()
    uid = uid_of(page, "Acme Robotics")
    assert "check_in" in kinds_of(calsync_run.feed(), uid)
    response, _ = post(calsync_run, "mark", {"uid": uid, "outcome": "rejected", "csrf": csrf_of(page)},
                       **{"Sec-Fetch-Site": "same-origin", "Origin": "null"})  # what a plain form sends under no-referrer
    assert response.status == 303 and response.getheader("Location").startswith(calsync_run.base + "#iv-")
    kinds = kinds_of(calsync_run.feed(), uid)
    assert "feedback_request" in kinds and not kinds & {"check_in", "second_check_in"}


@pytest.fixture
def evil_run(tmp_path):
    running = start_calsync(tmp_path, calendar_extra=EVIL)
    yield running
    stop_calsync(running)


def test_markup_in_calendar_text_is_shown_as_text(evil_run):
    page = wait_for(lambda: (p := evil_run.request("GET", evil_run.base)[1].decode()) and "alert(1)" in p and p,
                    what="the evil interview on the board")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


SUGGESTED = ("BEGIN:VEVENT\r\nUID:untagged-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/Los_Angeles:20261204T150000\r\n"
             "DTEND;TZID=America/Los_Angeles:20261204T160000\r\nSUMMARY:Technical interview with Soylent (round 2)\r\n"
             "DESCRIPTION:Hi! Next step in the hiring process: a technical interview with the engineering team.\\n"
             "Join Zoom Meeting https://zoom.us/j/123\r\nORGANIZER:mailto:recruiting@soylent.example\r\nEND:VEVENT\r\n")


@pytest.fixture
def suggesting_run(tmp_path):
    running = start_calsync(tmp_path, calendar_extra=SUGGESTED)
    yield running
    stop_calsync(running)


def test_untagged_interviews_are_suggested(suggesting_run):
    page = suggesting_run.request("GET", suggesting_run.base)[1].decode()
    section = page[page.index('id="suggested-h"'):]
    assert "Technical interview with Soylent" in section[:section.index("</section>")]


def test_bad_forms_are_refused_plainly_and_change_nothing(calsync_run):
    page = calsync_run.request("GET", calsync_run.base)[1].decode()
    same = {"Origin": f"http://127.0.0.1:{calsync_run.port}"}
    token = csrf_of(page)
    assert post(calsync_run, "mark", {"uid": "no-such-interview", "outcome": "offer", "csrf": token}, **same)[0].status == 400
    assert post(calsync_run, "mark", {"uid": uid_of(page, "Acme Robotics"), "outcome": "hired", "csrf": token}, **same)[0].status == 400
    assert post(calsync_run, "done", {"fid": "nope", "csrf": token}, **same)[0].status == 400
    assert post(calsync_run, "undo", {"csrf": token}, **same)[0].status == 400  # nothing to undo yet
    assert post(calsync_run, "mark", {"csrf": token, "pad": "x" * 10_000}, **same)[0].status == 413
    assert marks(calsync_run) == []
    head, body = calsync_run.request("HEAD", calsync_run.base)
    assert head.status == 200 and body == b"" and int(head.getheader("Content-Length")) > 1000


def suggestion_ids(page: str) -> list[str]:
    """The event ids the page offers Confirm/Dismiss for."""
    if 'id="suggested-h"' not in page:
        return []
    section = page[page.index('id="suggested-h"'):]
    return re.findall(r'name="event" value="([^"]+)"', section[:section.index("</section>")])


def decisions(running) -> list[tuple]:
    with running.db() as db:
        return db.execute("SELECT event, choice FROM suggestions WHERE choice != 'open'").fetchall()


def test_confirm_plans_the_suggestion_and_a_forged_post_changes_nothing(suggesting_run):
    run = suggesting_run
    page = run.request("GET", run.base)[1].decode()
    assert suggestion_ids(page) == ["untagged-1"]
    assert re.search(r'<button type="submit" name="choice" value="confirmed">Confirm</button>', page)
    assert re.search(r'<button type="submit" name="choice" value="dismissed">Dismiss</button>', page)
    assert kinds_of(run.feed(), "untagged-1") == set()
    same = {"Origin": f"http://127.0.0.1:{run.port}"}
    forged = [post(run, "decide", {"event": "untagged-1", "choice": "confirmed"}, **same),
              post(run, "decide", {"event": "untagged-1", "choice": "confirmed", "csrf": csrf_of(page)},
                   Origin="http://evil.example")]
    assert [r.status for r, _ in forged] == [403, 403]
    assert post(run, "decide", {"event": "untagged-1", "choice": "maybe", "csrf": csrf_of(page)}, **same)[0].status == 400
    assert post(run, "decide", {"event": "nope", "choice": "confirmed", "csrf": csrf_of(page)}, **same)[0].status == 400
    assert decisions(run) == [] and suggestion_ids(run.request("GET", run.base)[1].decode()) == ["untagged-1"]
    response, _ = post(run, "decide", {"event": "untagged-1", "choice": "confirmed", "csrf": csrf_of(page)}, **same)
    assert response.status == 303 and response.getheader("Location").startswith(run.base + "#iv-")
    assert decisions(run) == [("untagged-1", "confirmed")]
    assert "thank_you" in kinds_of(run.feed(), "untagged-1")  # planned like a tagged interview by the pass it ran
    after = run.request("GET", run.base)[1].decode()
    assert suggestion_ids(after) == [] and 'name="uid" value="untagged-1"' in after


def test_dismiss_removes_the_suggestion_for_good_and_undo_brings_it_back(suggesting_run):
    run = suggesting_run
    page = run.request("GET", run.base)[1].decode()
    same = {"Origin": f"http://127.0.0.1:{run.port}"}
    response, _ = post(run, "decide", {"event": "untagged-1", "choice": "dismissed", "csrf": csrf_of(page)}, **same)
    assert response.status == 303 and decisions(run) == [("untagged-1", "dismissed")]
    assert suggestion_ids(run.request("GET", run.base)[1].decode()) == []
    assert kinds_of(run.feed(), "untagged-1") == set()
    page = run.request("GET", run.base)[1].decode()
    assert "Recorded: Dismissed: Technical interview with Soylent" in page
    assert post(run, "undo", {"csrf": csrf_of(page)}, **same)[0].status == 303
    assert decisions(run) == [] and suggestion_ids(run.request("GET", run.base)[1].decode()) == ["untagged-1"]
    page = run.request("GET", run.base)[1].decode()
    assert post(run, "decide", {"event": "untagged-1", "choice": "dismissed", "csrf": csrf_of(page)}, **same)[0].status == 303
    # Another pass (an action elsewhere runs one) does not suggest it again.
    page = run.request("GET", run.base)[1].decode()
    assert post(run, "mark", {"uid": uid_of(page, "Acme Robotics"), "outcome": "responded", "csrf": csrf_of(page)},
                **same)[0].status == 303
    page = run.request("GET", run.base)[1].decode()
    assert suggestion_ids(page) == [] and decisions(run) == [("untagged-1", "dismissed")]
    with run.db() as db:
        assert db.execute("SELECT count(*) FROM suggestions WHERE event='untagged-1'").fetchone() == (1,)
