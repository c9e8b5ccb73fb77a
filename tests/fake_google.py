"""A stateful fake of the Google Calendar API v3, served over HTTP on 127.0.0.1.

Modelled on the documented API: events list with pagination, syncToken and 410 fullSyncRequired;
insert with client-chosen IDs and 409 duplicate (also for cancelled IDs); get; patch/update with
If-Match and 412 conditionNotMet; delete (the event becomes cancelled, a second delete is 410);
calendars insert/get/delete and calendarList (paginated); the multipart/mixed batch endpoint; the
OAuth token endpoint. Strict where Google is: routes, query parameters, per-method scopes and request
bodies are checked against the discovery document bundled with googleapiclient (with Google's error
bodies: 403 insufficientPermissions, 401 authError, 400 invalid); calendar.app.created reaches only
calendars the app made; access tokens carry the granted scopes and expire. Faults can be queued (429,
403 rate limits, 500, 410, slow answers; on the token endpoint too) and every operation is logged.
"""
from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import googleapiclient

from tests.fake_discovery import Method, check_body, check_query, route

ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
AUTH = "https://www.googleapis.com/auth/"
READ_EVENTS, APP_CREATED = AUTH + "calendar.events.readonly", AUTH + "calendar.app.created"
DISCOVERY = json.loads((Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "calendar.v3.json").read_text())


@dataclass
class Op:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict | None
    in_batch: bool = False
    request: int = 0  # the HTTP request that carried it (a batch's parts share one)


@dataclass
class Fault:
    status: int
    reason: str
    match: Callable[[Op], bool] = lambda op: True
    delay: float = 0.0


def error(status: int, reason: str, message: str = "") -> tuple[int, dict]:
    return status, {"error": {"code": status, "message": message or reason, "errors": [{"domain": "calendar", "reason": reason, "message": message or reason}]}}


def unauthenticated() -> tuple[int, dict]:
    """Google's answer to a missing, unknown or expired access token."""
    return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED",
                           "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                                      "or other valid authentication credential.",
                           "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                                       "location": "Authorization", "locationType": "header"}]}}


def insufficient_scopes(method: Method) -> tuple[int, dict]:
    """Google's answer to a token without any of the method's scopes."""
    return 403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Request had insufficient authentication scopes.",
                           "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
                           "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                                        "domain": "googleapis.com", "metadata": {"service": "calendar-json.googleapis.com",
                                                                                  "method": f"calendar.v3.{method.id}"}}]}}


@dataclass
class FakeCalendar:
    events: dict[str, dict] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)  # event id -> change number


class FakeGoogle:
    """The API's state; ``handle(op)`` answers one operation."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calendars: dict[str, FakeCalendar] = {"primary": FakeCalendar()}
        self.calendar_info: dict[str, dict] = {}
        self.change = itertools.count(1)
        self.etags = itertools.count(1)
        self.log: list[Op] = []
        self.http_requests: list[str] = []  # one entry per HTTP request (a batch counts once)
        self.faults: list[Fault] = []
        self.page_size = 250
        self.min_sync_change = 0  # tokens older than this get 410
        self.revoked = False
        self.granted = {READ_EVENTS, APP_CREATED}  # what the user allowed on the consent screen
        self.access_token = "fake-access-token"  # the token test files hold, valid until expire_access_tokens()
        self.tokens: dict[str, frozenset[str]] = {self.access_token: frozenset(self.granted)}
        self.token_faults: list[tuple[int, dict]] = []  # answers the token endpoint gives before working again
        self.app_calendars: set[str] = set()  # made through the API: what calendar.app.created reaches
        self.invalid: list[str] = []  # every request Google would have rejected as invalid (400), for assertions
        self.on_op: Callable[[int, Op], None] | None = None  # called after each op is applied
        self.dropped_requests: set[int] = set()  # the rest of these requests fails with 503 (a client killed mid-batch)
        self.requests = itertools.count(1)
        self.in_flight = 0
        self.idle = threading.Condition(self.lock)

    # --- HTTP bookkeeping, so tests wait on conditions instead of sleeping
    def request_started(self) -> int:
        with self.lock:
            self.in_flight += 1
            return next(self.requests)

    def request_finished(self) -> None:
        with self.lock:
            self.in_flight -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Until no HTTP request is being answered (e.g. the rest of a killed client's batch)."""
        with self.lock:
            if not self.idle.wait_for(lambda: self.in_flight == 0, timeout):
                raise AssertionError(f"the fake still answers {self.in_flight} request(s) after {timeout} s")

    def drop_rest_of(self, op: Op) -> None:
        """The parts of ``op``'s HTTP request not yet answered fail with 503 and change nothing."""
        with self.lock:
            self.dropped_requests.add(op.request)

    # --- helpers for tests (acting as the user in the Google Calendar UI)
    def put_event(self, calendar: str, event: dict) -> dict:
        with self.lock:
            cal = self.calendars.setdefault(calendar, FakeCalendar())
            stored = {"kind": "calendar#event", "status": "confirmed", **event}
            return self._store(cal, stored)

    def user_edit(self, calendar: str, event_id: str, **fields: object) -> None:
        with self.lock:
            cal = self.calendars[calendar]
            self._store(cal, {**cal.events[event_id], **fields})

    def user_delete(self, calendar: str, event_id: str) -> None:
        self.user_edit(calendar, event_id, status="cancelled")

    def live_events(self, calendar: str) -> list[dict]:
        with self.lock:
            return [e for e in self.calendars[calendar].events.values() if e.get("status") != "cancelled"]

    def grant(self, *scopes: str) -> None:
        """The user re-consents with exactly these scopes (the current access tokens keep theirs)."""
        with self.lock:
            self.granted = set(scopes)
            self.tokens[self.access_token] = frozenset(scopes)

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def issue_token(self, requested: str) -> dict:
        """The token endpoint's answer to a refresh: a new access token with the granted scopes asked for."""
        with self.lock:
            scopes = self.granted & set(requested.split()) if requested else set(self.granted)
            token = f"tok{next(self.etags)}"
            self.tokens[token] = frozenset(scopes)
            self.access_token = token
            return {"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": " ".join(sorted(scopes))}

    def make_app_calendar(self, body: dict) -> str:
        """A secondary calendar made through the API (as calendars.insert does); returns its ID."""
        with self.lock:
            cal_id = f"cal{next(self.etags)}@group.calendar.google.com"
            self.calendars[cal_id] = FakeCalendar()
            self.app_calendars.add(cal_id)
            self.calendar_info[cal_id] = {"kind": "calendar#calendar", "id": cal_id, "etag": '"c1"', **body}
            return cal_id

    def delete_calendar(self, calendar: str) -> None:
        """The user deletes a whole calendar in the Google Calendar UI."""
        with self.lock:
            self.calendars.pop(calendar, None)
            self.calendar_info.pop(calendar, None)

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.min_sync_change = next(self.change)

    def _store(self, cal: FakeCalendar, event: dict) -> dict:
        event["etag"] = f'"{next(self.etags)}"'
        event["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        cal.events[event["id"]] = event
        cal.changed_at[event["id"]] = next(self.change)
        return event

    # --- the API
    def handle(self, op: Op) -> tuple[int, dict | None]:
        with self.lock:
            self.log.append(op)
            if op.request in self.dropped_requests:
                return error(503, "backendError")
            for fault in list(self.faults):
                if fault.match(op):
                    self.faults.remove(fault)
                    if fault.delay:
                        time.sleep(fault.delay)
                    if fault.status:
                        return error(fault.status, fault.reason)
            bearer = op.headers.get("authorization", "").removeprefix("Bearer ")
            if self.revoked or bearer not in self.tokens:
                return unauthenticated()
            result = self._checked(op, self.tokens[bearer])
            if self.on_op is not None:
                self.on_op(len(self.log), op)
            return result

    def _checked(self, op: Op, scopes: frozenset[str]) -> tuple[int, dict | None]:
        """What Google checks before acting: the route, the token's scopes, the parameters, the body."""
        found = route(DISCOVERY, op.method, op.path)
        if found is None:
            self.invalid.append(f"{op.method} {op.path}: no such method")
            return error(404, "notFound", "Not Found")
        method, path_params = found
        allowed = scopes & set(method.scopes)
        if not allowed:
            return insufficient_scopes(method)
        calendar = path_params.get("calendarId")
        if allowed == {APP_CREATED} and calendar is not None and calendar not in self.app_calendars:
            return error(404, "notFound", "Not Found")  # calendar.app.created reaches only calendars the app made
        problem = check_query(DISCOVERY, method, op.query) or (check_body(DISCOVERY, method.request, op.body) if method.request else None)
        if problem:
            self.invalid.append(f"{method.id}: {problem}")
            return error(400, "invalid", problem)
        return self._route(op, method, path_params)

    def _route(self, op: Op, method: Method, params: dict[str, str]) -> tuple[int, dict | None]:
        if method.id == "calendars.insert":
            return 200, self.calendar_info[self.make_app_calendar(op.body or {})]
        if method.id == "calendarList.list":
            items = list(self.calendar_info.values())
            start = int(op.query.get("pageToken", "0"))
            body: dict = {"kind": "calendar#calendarList", "items": items[start:start + self.page_size]}
            if start + self.page_size < len(items):
                body["nextPageToken"] = str(start + self.page_size)
            return 200, body
        cal = self.calendars.get(params.get("calendarId", ""))
        if cal is None:
            return error(404, "notFound", "Not Found")
        if method.id == "calendars.get":
            return 200, self.calendar_info.get(params["calendarId"], {"kind": "calendar#calendar", "id": params["calendarId"]})
        if method.id == "calendars.delete":
            self.delete_calendar(params["calendarId"])
            return 204, None
        if method.id == "events.list":
            return self._list(cal, op)
        if method.id == "events.insert":
            return self._insert(cal, op)
        if method.id in ("events.get", "events.patch", "events.update", "events.delete"):
            return self._one(cal, params["eventId"], op)
        return error(501, "notImplemented", f"the fake does not implement {method.id}")

    def _list(self, cal: FakeCalendar, op: Op) -> tuple[int, dict]:
        q = op.query
        sync = q.get("syncToken")
        if sync is not None:
            if not sync.startswith("s") or int(sync[1:]) < self.min_sync_change:
                return error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
            since = int(sync[1:])
            ids = [i for i, c in cal.changed_at.items() if c > since]
        else:
            ids = [i for i in cal.events if q.get("showDeleted") == "true" or cal.events[i].get("status") != "cancelled"]
        ids.sort(key=lambda i: cal.changed_at[i])
        start = int(q.get("pageToken", "0"))
        size = min(int(q.get("maxResults", self.page_size)), self.page_size)
        page = ids[start:start + size]
        body: dict = {"kind": "calendar#events", "items": [cal.events[i] for i in page]}
        if start + size < len(ids):
            body["nextPageToken"] = str(start + size)
        else:
            body["nextSyncToken"] = f"s{max(cal.changed_at.values(), default=0)}"
        return 200, body

    def _insert(self, cal: FakeCalendar, op: Op) -> tuple[int, dict]:
        body = dict(op.body or {})
        event_id = body.get("id") or f"gen{next(self.etags):08d}"
        if not ID_RE.match(event_id):
            return error(400, "invalid", "Invalid resource id value.")
        if event_id in cal.events:
            return error(409, "duplicate", "The requested identifier already exists.")
        body["id"] = event_id
        return 200, self._store(cal, {"kind": "calendar#event", "status": "confirmed", **body})

    def _one(self, cal: FakeCalendar, event_id: str, op: Op) -> tuple[int, dict | None]:
        event = cal.events.get(event_id)
        if event is None:
            return error(404, "notFound")
        if op.method == "GET":
            return 200, event
        match = op.headers.get("if-match")
        if match is not None and match != event["etag"]:
            return error(412, "conditionNotMet", "Precondition Failed")
        if op.method == "DELETE":
            if event.get("status") == "cancelled":
                return error(410, "deleted", "Resource has been deleted")
            self._store(cal, {**event, "status": "cancelled"})
            return 204, None
        if op.method == "PATCH":
            return 200, self._store(cal, {**event, **(op.body or {}), "id": event_id})
        if op.method == "PUT":
            return 200, self._store(cal, {**(op.body or {}), "id": event_id, "kind": "calendar#event"})
        return error(405, "methodNotAllowed")


def _parse_batch(body: bytes, content_type: str) -> list[tuple[str, Op]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    ops = []
    for part in message.iter_parts():
        raw = part.get_payload(decode=True) or b""
        head, _, payload = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
        lines = head.decode().splitlines()
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        url = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(url.query))
        ops.append((part.get("Content-ID", ""), Op(method, url.path, query, headers, json.loads(payload) if payload.strip() else None, True)))
    return ops


def serve_fake(fake: FakeGoogle) -> tuple[ThreadingHTTPServer, str]:
    """Start the fake on 127.0.0.1; returns the server and the api_endpoint to configure."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, body: dict | None, content_type: str = "application/json", raw: bytes | None = None) -> None:
            data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(self) -> None:
            request = fake.request_started()
            try:
                self._answer(request)
            finally:
                fake.request_finished()

        def _answer(self, request: int) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            fake.http_requests.append(f"{self.command} {url.path}")
            if url.path == "/token":
                form = dict(urllib.parse.parse_qsl(body.decode()))
                with fake.lock:
                    fault = fake.token_faults.pop(0) if fake.token_faults else None
                if fault is not None:
                    self._send(*fault)
                elif form.get("grant_type") == "authorization_code" and form.get("code") == "fake-code":  # the consent screen's answer
                    self._send(200, {**fake.issue_token(""), "refresh_token": "fake-refresh"})
                elif fake.revoked or form.get("grant_type") != "refresh_token":
                    self._send(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
                else:
                    self._send(200, fake.issue_token(form.get("scope", "")))
                return
            if url.path == "/batch/calendar/v3":
                self._batch(body, request)
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            op = Op(self.command, url.path, dict(urllib.parse.parse_qsl(url.query)), headers, json.loads(body) if body.strip() else None,
                    request=request)
            status, answer = fake.handle(op)
            self._send(status, answer)

        def _batch(self, body: bytes, request: int) -> None:
            boundary = "batch_fake_boundary"
            outer_auth = self.headers.get("Authorization")
            chunks = []
            for content_id, op in _parse_batch(body, self.headers["Content-Type"]):
                op.request = request
                if outer_auth and "authorization" not in op.headers:
                    op.headers["authorization"] = outer_auth
                status, answer = fake.handle(op)
                payload = json.dumps(answer) if answer is not None else ""
                reason = {200: "OK", 204: "No Content"}.get(status, "Error")
                response_id = content_id.replace("<", "<response-", 1) if content_id else ""
                chunks.append(f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {response_id}\r\n\r\n"
                              f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n{payload}\r\n")
            raw = ("".join(chunks) + f"--{boundary}--\r\n").encode()
            self._send(200, None, f"multipart/mixed; boundary={boundary}", raw)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/calendar/v3/"
