"""The board at `/<token>/`: every interview as a card, and buttons that record what `calsync mark`/`done` would."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import jinja2

from calsync.config import Config
from calsync.core.model import OutcomeKind
from calsync.errors import CalsyncError, login_notices
from calsync.planner import PlanResult
from calsync.state import StateStore, state_path
from calsync.web.app import Response
from calsync.web.board_view import OUTCOME_LABELS, BoardView, build_cards, build_suggestions, card_anchor, moment
from calsync.web.csrf import CsrfTokens, same_origin
from calsync.web.passes import PassRequests

log = logging.getLogger("calsync")
LAST_ACTION = "board_last_action"
MAX_FORM_BYTES = 4096
PASS_WAIT_SECONDS = 20.0
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PAGE_HEADERS = [("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"), ("Content-Security-Policy", CSP),
                ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]
SUGGESTION_CHOICES = {"confirmed": "Confirmed", "dismissed": "Dismissed"}
STATIC = {"board.css": "text/css; charset=utf-8", "board.js": "text/javascript; charset=utf-8"}


def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("calsync.web", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class BoardService:
    """Pages and actions; state is opened per request on its own connection (the daemon keeps its own)."""

    def __init__(self, config: Callable[[], Config], latest: Callable[[], PlanResult | None],
                 passes: PassRequests | None, clock: Callable[[], dt.datetime]) -> None:
        self.config, self.latest, self.passes, self.clock = config, latest, passes, clock
        self.csrf = CsrfTokens()
        self._waiting = threading.BoundedSemaphore(2)
        self.env = _templates()
        self.static = {name: resources.files("calsync.web").joinpath("static", name).read_bytes() for name in STATIC}

    def handle(self, environ: dict[str, Any], base: str, rest: str) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        if rest.startswith("static/") and rest[7:] in STATIC:
            if method not in ("GET", "HEAD"):
                return Response.text(405, "read-only", ("Allow", "GET, HEAD"))
            return Response(200, [("Content-Type", STATIC[rest[7:]]), ("Cache-Control", "private, max-age=300"),
                                  ("X-Content-Type-Options", "nosniff")], self.static[rest[7:]])
        actions = {"mark": self._mark, "done": self._done, "decide": self._decide, "undo": self._undo}
        if rest in actions:
            if method != "POST":
                return Response.text(405, "use the buttons on the board", ("Allow", "POST"))
            return self._act(environ, base, actions[rest])
        if rest != "":
            return Response.text(404, "not found")
        if method not in ("GET", "HEAD"):
            return Response.text(405, "the board page is read with GET; actions POST to mark, done, decide, undo", ("Allow", "GET, HEAD"))
        return self.page(base)

    def _store(self) -> StateStore:
        config = self.config()
        return StateStore(state_path(config.state_dir), config.plan.zone)

    # -- the page
    def view(self) -> BoardView:
        now = self.clock()
        result = self.latest()
        with self._store() as store:
            done = store.done_ids()
            warnings = list(_warnings(store))
            last = store.get_meta(LAST_ACTION) or ""
            decided = store.suggestion_decisions()
        if result is None:
            return BoardView((), tuple(warnings), _describe(last), ready=False, as_of=moment(now, now.tzinfo))
        warnings.extend(result.warnings)
        cards = build_cards(result.interviews, result.plan.followups, result.plan.missed, done, now)
        undecided = [s for s in getattr(result, "suggestions", ()) if s.event not in decided]  # decided ones leave the list
        return BoardView(cards, tuple(warnings), _describe(last), as_of=moment(now, now.tzinfo),
                         suggestions=build_suggestions(undecided, now.tzinfo))

    def page(self, base: str) -> Response:
        body = self.env.get_template("board.html").render(view=self.view(), base=base, csrf=self.csrf.issue(),
                                                          outcomes=list(OUTCOME_LABELS.items()))
        return Response(200, [("Content-Type", "text/html; charset=utf-8"), *PAGE_HEADERS], body.encode())

    # -- actions
    def _act(self, environ: dict[str, Any], base: str, action: Callable[[StateStore, dict[str, str], dt.datetime], str]) -> Response:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_FORM_BYTES:
            return Response.text(413, "form too large")
        raw = environ["wsgi.input"].read(length) if length else b""
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        refusal = self._refusal(environ, form)
        if refusal:
            return Response(403, [("Content-Type", "text/plain; charset=utf-8"), *PAGE_HEADERS], refusal.encode() + b"\n")
        now = self.clock()
        try:
            with self._store() as store:
                anchor = action(store, form, now)
        except (CalsyncError, KeyError, ValueError) as exc:
            return Response(400, [("Content-Type", "text/plain; charset=utf-8"), *PAGE_HEADERS],
                            f"not recorded: {exc}; reload the board\n".encode())
        if self.passes is not None:  # the plan, the feed and every sink follow at once
            ticket = self.passes.request()
            # Waiting holds one of the server's few worker threads: at most two requests wait, so the feed never starves.
            if self._waiting.acquire(blocking=False):
                try:
                    if not self.passes.wait(ticket, PASS_WAIT_SECONDS):
                        log.warning("board: the pass after an action did not finish within %.0f s", PASS_WAIT_SECONDS)
                finally:
                    self._waiting.release()
        return Response(303, [("Location", f"{base}{'#' + anchor if anchor else ''}"), *PAGE_HEADERS])

    def _refusal(self, environ: dict[str, Any], form: dict[str, str]) -> str:
        if not same_origin(environ, self.config().feed.public_url):
            return "refused: this form must be sent from the board's own page (origin check); nothing was changed"
        if not self.csrf.valid(form.get("csrf", "")):
            return "refused: the page is out of date or the form is forged (CSRF token); reload the board, nothing was changed"
        return ""

    def _known(self, uid: str) -> bool:
        result = self.latest()
        return result is not None and any(i.uid == uid for i in result.interviews)

    def _mark(self, store: StateStore, form: dict[str, str], now: dt.datetime) -> str:
        uid, kind = form["uid"], OutcomeKind.parse(form["outcome"])
        if not self._known(uid):
            raise CalsyncError("no such interview")
        previous = next((o.at for o in store.recorded_outcomes().get(uid, ()) if o.kind is kind), None)
        store.mark(uid, kind, now, now)  # what `calsync mark UID OUTCOME` records
        company = next(i.company or i.summary for i in self.latest().interviews if i.uid == uid)  # type: ignore[union-attr]
        _remember(store, {"type": "mark", "uid": uid, "kind": kind.value, "previous": previous.isoformat() if previous else None,
                          "label": f"{OUTCOME_LABELS[kind]} for {company}"})
        return card_anchor(uid)

    def _done(self, store: StateStore, form: dict[str, str], now: dt.datetime) -> str:
        fid = form["fid"]
        items = {i.fid: i for i in store.plan_items()}
        if fid not in items:
            raise CalsyncError("no such follow-up")
        was_done = fid in store.done_ids()
        store.mark_done(fid, now)  # what `calsync done ID` records
        _remember(store, {"type": "done", "fid": fid, "was_done": was_done, "label": f"Done: {items[fid].summary}"})
        return f"f-{fid}"

    def _decide(self, store: StateStore, form: dict[str, str], now: dt.datetime) -> str:
        event, choice = form["event"], form["choice"]
        if choice not in SUGGESTION_CHOICES:
            raise CalsyncError(f"unknown choice {choice!r}, expected confirmed or dismissed")
        known = {row[0]: row for row in store.suggestions()}
        if event not in known:
            raise CalsyncError("no such suggestion")
        store.decide_suggestion(event, choice, now)  # what `calsync confirm ID` / `calsync dismiss ID` record
        _remember(store, {"type": "decide", "event": event, "previous": known[event][5],
                          "label": f"{SUGGESTION_CHOICES[choice]}: {known[event][1]}"})
        return card_anchor(event) if choice == "confirmed" else "suggested-h"

    def _undo(self, store: StateStore, form: dict[str, str], now: dt.datetime) -> str:
        last = json.loads(store.get_meta(LAST_ACTION) or "null")
        if not last:
            raise CalsyncError("nothing to undo")
        if last["type"] == "mark":
            kind = OutcomeKind(last["kind"])
            store.unmark(last["uid"], kind)
            if last["previous"]:
                store.mark(last["uid"], kind, dt.datetime.fromisoformat(last["previous"]), now)
            anchor = card_anchor(last["uid"])
        elif last["type"] == "decide":
            store.decide_suggestion(last["event"], last["previous"], now)
            anchor = "suggested-h"
        else:
            if not last["was_done"]:
                store.undo_done(last["fid"])
            anchor = f"f-{last['fid']}"
        store.set_meta(LAST_ACTION, "")
        return anchor


def _remember(store: StateStore, action: dict[str, Any]) -> None:
    store.set_meta(LAST_ACTION, json.dumps(action))


def _describe(last: str) -> str:
    try:
        return str(json.loads(last)["label"]) if last else ""
    except (ValueError, KeyError, TypeError):
        return ""


def _warnings(store: StateStore) -> list[str]:
    """What `calsync status` warns about: failing sources, a refused pass, Google needing authorization."""
    found = [f"Source {name} is failing since {at}: {error}" for name, _, error, at in store.source_health() if error]
    found += [f"Safety valve: {v}" for v in (store.get_meta(f"refused:{k}") for k in ("feed", "google")) if v]
    found += login_notices(store.login_problems())
    return found
