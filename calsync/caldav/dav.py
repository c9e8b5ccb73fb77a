"""One CalDAV account over the `caldav` library's client: bounded requests and the few WebDAV reports calsync needs."""
from __future__ import annotations

import logging
import os
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from calsync.caldav.errors import ItemError, classify_status, with_retries
from calsync.errors import AuthError

log = logging.getLogger("calsync")
CREDENTIAL_NAME = "caldav-password"
D, C, CS = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}", "{http://calendarserver.org/ns/}"
XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8"}
ICS_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
MAX_PASSWORD_BYTES = 4096


@dataclass(frozen=True)
class Account:
    """Where and as whom; the password is read from its file only when connecting."""

    url: str
    username: str
    password_file: str = ""  # empty: $CREDENTIALS_DIRECTORY/caldav-password, else beside the configuration
    config_dir: str = ""

    @property
    def label(self) -> str:
        host = urllib.parse.urlsplit(self.url).netloc
        return f"{self.username}@{host}" if self.username else host

    def password_path(self) -> Path:
        """password_file; else the systemd credential when it holds one; else caldav-password beside the configuration."""
        if self.password_file:
            return Path(self.password_file)
        candidates = [Path(d) / CREDENTIAL_NAME for d in (os.environ.get("CREDENTIALS_DIRECTORY", ""), self.config_dir) if d]
        for path in candidates:
            try:
                if path.stat().st_size > 1:  # the unit's SetCredential= fallback is a bare newline
                    return path
            except OSError:
                continue
        return candidates[0] if candidates else Path(CREDENTIAL_NAME)

    def read_password(self) -> str:
        path = self.password_path()
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_PASSWORD_BYTES + 1)
        except OSError as exc:
            raise AuthError(f"CalDAV {self.label}: cannot read the password file {path} ({exc.strerror or exc}); "
                            "put the (app-specific) password there, mode 600, or set password_file") from None
        password = data.decode("utf-8", "replace").strip("\r\n")
        if not password or len(data) > MAX_PASSWORD_BYTES:
            raise AuthError(f"CalDAV {self.label}: the password file {path} is empty or not a password; put the password there")
        return password


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    text: str = ""
    tree: Any = None  # the parsed XML, if any
    preconditions: tuple[str, ...] = ()

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "") or ""


@dataclass(frozen=True)
class Member:
    """One resource of a collection: its path (unquoted, the key everywhere), ETag and, when asked, its data."""

    path: str
    etag: str
    data: str | None = None


@dataclass
class SyncResult:
    token: str
    changed: dict[str, str] = field(default_factory=dict)  # path -> etag
    removed: set[str] = field(default_factory=set)


class SyncTokenInvalid(Exception):
    """The server forgot the sync token (RFC 6578 3.2): list everything again."""


class SyncUnsupported(Exception):
    """No sync-collection report here: compare ETags instead."""


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def redirect_refused(from_url: str, location: str) -> str:
    """Why a redirect may not be followed ('' if it may): https never goes to http, only http(s) targets."""
    target = urllib.parse.urljoin(from_url, location)
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        return f"redirected to a {scheme or 'scheme-less'} address"
    if urllib.parse.urlsplit(from_url).scheme.lower() == "https" and scheme == "http":
        return "redirected from https to plain http"
    return ""


def resource_path(base: str, href: str) -> str:
    """An href of a multistatus as the unquoted path that keys resources."""
    return urllib.parse.unquote(urllib.parse.urlsplit(urllib.parse.urljoin(base, href)).path)


class DavConnection:
    """Requests to one account: timeouts, capped redirects, credentials never sent to another origin, retries."""

    def __init__(self, account: Account, connect_timeout: float = 10.0, read_timeout: float = 60.0, max_redirects: int = 5,
                 retries: int = 3, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.account = account
        self.timeouts = (connect_timeout, read_timeout)
        self.max_redirects, self.retries, self.base_delay, self.sleep = max_redirects, retries, base_delay, sleep
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client(self.account.url)
        return self._client

    def _make_client(self, url: str) -> Any:
        import caldav
        from niquests import TimeoutConfiguration

        logging.getLogger("caldav").setLevel(logging.ERROR)  # its warnings would bypass calsync's log format; errors are mapped here
        connect, total = self.timeouts
        client = caldav.DAVClient(url, username=self.account.username or None,
                                  password=self.account.read_password() if self.account.username else None,
                                  timeout=TimeoutConfiguration(total=total, connect=connect, read=total),  # type: ignore[arg-type]
                                  enable_rfc6764=False)
        client.session.max_redirects = self.max_redirects
        # Stricter than the default: any change of scheme, host or port drops the Authorization header.
        client.session.should_strip_auth = lambda old, new: origin(old) != origin(new)
        client.session.hooks["response"].append(self._check_redirect)
        return client

    def principal(self) -> Any:
        """The account's principal, found from the configured URL, else from the host's /.well-known/caldav (RFC 6764)."""
        from caldav.lib import error as dav_error

        try:
            return self.client().principal()
        except dav_error.AuthorizationError:
            raise
        except dav_error.DAVError:
            well_known = urllib.parse.urljoin(self.account.url, "/.well-known/caldav")
            if self.account.url.rstrip("/") == well_known:
                raise
            log.info("CalDAV %s: no principal at the configured URL; trying %s", self.account.label, well_known)
            self._client = self._make_client(self._well_known_target(well_known))
            return self._client.principal()

    def _well_known_target(self, well_known: str) -> str:
        """Where /.well-known/caldav redirects to; the principal is then asked for there, not through the redirect.

        HTTP clients resend a PROPFIND redirected with 302 as a GET, and any redirected request without its body
        (Xandikos redirects with 302 and answers that GET with 406)."""
        client = self._make_client(well_known)
        targets: list[str] = []
        client.session.hooks["response"].append(
            lambda r, **_: targets.append(urllib.parse.urljoin(str(r.url), r.headers["Location"])) if r.is_redirect else None)
        client.request(well_known, "PROPFIND", '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
                       "<d:current-user-principal/></d:prop></d:propfind>", {**XML_HEADERS, "Depth": "0"})
        return targets[-1] if targets else well_known

    def _check_redirect(self, response: Any, **_: Any) -> Any:
        if response.is_redirect:
            reason = redirect_refused(str(response.url), response.headers.get("Location", ""))
            if reason:
                raise ItemError(response.status_code, f"CalDAV {self.account.label}: {reason}; refused — check the URL")
        return response

    def retrying(self, call: Callable[[], Any], what: str) -> Any:
        return with_retries(call, self.account.label, what, retries=self.retries, base_delay=self.base_delay, sleep=self.sleep)

    def request(self, method: str, url: str, body: str = "", headers: Mapping[str, str] | None = None, what: str = "") -> Response:
        """One request; 401/403, 429, 5xx and 507 raise (retried when transient), other statuses are returned."""
        what = what or f"{method} {urllib.parse.urlsplit(url).path}"

        def send() -> Response:
            from caldav.lib import error as dav_error

            try:
                answer = self.client().request(url, method, body, dict(headers or {}))
            except dav_error.AuthorizationError as exc:
                preconditions = tuple(getattr(exc, "preconditions", ()) or ())
                if exc.status == 403 and preconditions:  # a failed WebDAV precondition, not a login problem
                    return Response(403, {}, preconditions=preconditions)
                raise
            status = int(answer.status)
            if status == 507 or status == 429 or status >= 500:
                raise classify_status(status, self.account.label, what)
            text = answer.raw if isinstance(answer.raw, str) else ""
            return Response(status, answer.headers or {}, text, answer.tree)

        return self.retrying(send, what)

    # -- reads
    def propfind(self, url: str, props: str, depth: int) -> Response:
        body = f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" ' \
               f'xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>'
        answer = self.request("PROPFIND", url, body, {**XML_HEADERS, "Depth": str(depth)}, f"listing {urllib.parse.urlsplit(url).path}")
        if answer.status != 207 or answer.tree is None:
            raise ItemError(answer.status, f"CalDAV {self.account.label}: {url} is not a calendar collection (PROPFIND answered HTTP {answer.status}); check the URL")
        return answer

    def collection_tag(self, url: str) -> tuple[str, str]:
        """(sync-token, ctag) of a collection; either may be empty."""
        tree = self.propfind(url, "<d:sync-token/><cs:getctag/>", 0).tree
        return _text(tree, f".//{D}sync-token"), _text(tree, f".//{CS}getctag")

    def members(self, url: str) -> dict[str, str]:
        """path -> ETag of every calendar object in a collection."""
        found: dict[str, str] = {}
        own = resource_path(url, url).rstrip("/")
        for response in self.propfind(url, "<d:getetag/><d:resourcetype/>", 1).tree.iter(f"{D}response"):
            path = resource_path(url, _text(response, f"{D}href"))
            if path.rstrip("/") == own or response.find(f".//{D}resourcetype/{D}collection") is not None:
                continue
            etag = _ok_prop(response, f"{D}getetag")
            if etag is not None:
                found[path] = etag
        return found

    def sync(self, url: str, token: str) -> SyncResult:
        """sync-collection (RFC 6578) from ``token`` ("" for everything), following truncated replies."""
        result = SyncResult(token)
        for _ in range(100):
            body = (f'<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{escape(result.token)}'
                    "</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>")
            answer = self.request("REPORT", url, body, {**XML_HEADERS, "Depth": "1"}, "syncing the calendar")
            if answer.status in (403, 409, 412) and result.token and "valid-sync-token" in " ".join(answer.preconditions) + answer.text:
                raise SyncTokenInvalid()
            if answer.status != 207 or answer.tree is None:
                raise SyncUnsupported(f"HTTP {answer.status}")
            own, truncated = resource_path(url, url).rstrip("/"), False
            for response in answer.tree.iter(f"{D}response"):
                path = resource_path(url, _text(response, f"{D}href"))
                status = _text(response, f"{D}status")
                if path.rstrip("/") == own:
                    truncated = truncated or " 507" in status
                    continue
                etag = _ok_prop(response, f"{D}getetag")
                if etag is None or " 404" in status:
                    result.removed.add(path)
                    result.changed.pop(path, None)
                else:
                    result.changed[path] = etag
                    result.removed.discard(path)
            new_token = _text(answer.tree, f"{D}sync-token")
            if not new_token:
                raise SyncUnsupported("no sync-token in the reply")
            if not truncated or new_token == result.token:
                result.token = new_token
                return result
            result.token = new_token
        return result

    def multiget(self, url: str, paths: Iterable[str]) -> list[Member]:
        """calendar-multiget: the data and ETags of many resources in one request."""
        paths = list(paths)
        if not paths:
            return []
        hrefs = "".join(f"<d:href>{escape(urllib.parse.quote(p))}</d:href>" for p in paths)
        body = ('<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>")
        answer = self.request("REPORT", url, body, {**XML_HEADERS, "Depth": "1"}, "reading events")
        if answer.status != 207 or answer.tree is None:
            raise ItemError(answer.status, f"CalDAV {self.account.label}: calendar-multiget answered HTTP {answer.status}")
        found = []
        for response in answer.tree.iter(f"{D}response"):
            data = _ok_prop(response, f"{C}calendar-data")
            if data is not None:
                found.append(Member(resource_path(url, _text(response, f"{D}href")), _ok_prop(response, f"{D}getetag") or "", data))
        return found

    def get(self, url: str) -> Response:
        return self.request("GET", url, headers={"Accept": "text/calendar"}, what=f"reading {urllib.parse.urlsplit(url).path}")

    # -- writes
    def put(self, url: str, data: str, *, create: bool, etag: str = "") -> Response:
        headers = dict(ICS_HEADERS)
        if create:
            headers["If-None-Match"] = "*"
        elif etag:
            headers["If-Match"] = etag
        return self.request("PUT", url, data, headers, f"writing {urllib.parse.urlsplit(url).path}")

    def delete(self, url: str, etag: str) -> Response:
        return self.request("DELETE", url, headers={"If-Match": etag} if etag else {}, what=f"deleting {urllib.parse.urlsplit(url).path}")

    def etag_of(self, url: str) -> str:
        """The ETag after a PUT whose reply had none (the server changed the data, RFC 4791 5.3.4)."""
        answer = self.request("PROPFIND", url, '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
                              {**XML_HEADERS, "Depth": "0"}, "reading an ETag")
        return (_text(answer.tree, f".//{D}getetag") if answer.tree is not None else "") or ""

    # -- the calendar to write into
    def find_or_make_calendar(self, name: str, components: tuple[str, ...]) -> str:
        """A calendar of the principal with this display name; made with MKCALENDAR if there is none."""
        from caldav.lib import error as dav_error

        def find() -> str:
            principal = self.principal()
            for calendar in principal.calendars():
                if (calendar.get_display_name() or "") == name:
                    return str(calendar.url)
            try:
                made = principal.make_calendar(name=name, cal_id="calsync-followups", supported_calendar_component_set=list(components))
            except dav_error.DAVError as exc:
                status = int(getattr(exc, "status", 0) or 0)
                if isinstance(exc, dav_error.RateLimitError) or status in (401, 429, 507) or (status >= 500 and status != 501):
                    raise  # the login, a busy or a full server: mapped as for any request
                raise ItemError(status, f"CalDAV {self.account.label} refused to create the calendar {name!r} (MKCALENDAR answered "
                                f"HTTP {status or exc.reason}); create it in your calendar app, or set caldav.calendar_url to one") from None
            return str(made.url)

        return str(self.retrying(find, f"finding the calendar {name!r}"))


def _text(tree: Any, path: str) -> str:
    node = tree.find(path) if tree is not None else None
    return (node.text or "").strip() if node is not None else ""


def _ok_prop(response: Any, tag: str) -> str | None:
    """The value of ``tag`` in the response's 200 propstat, else None."""
    for propstat in response.iter(f"{D}propstat"):
        if " 200" not in _text(propstat, f"{D}status"):
            continue
        node = propstat.find(f"{D}prop/{tag}")
        if node is not None:
            return node.text or ""
    return None
