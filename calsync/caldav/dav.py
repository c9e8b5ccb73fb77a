"""One CalDAV account: bounded requests (calsync.ics.fetch) and the few WebDAV requests calsync needs."""
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

from calsync.caldav.errors import ItemError, TimedOut, classify_status, with_retries
from calsync.errors import AuthError, TransientError
from calsync.ics.fetch import FetchTimeout, HttpAnswer, Unreachable, http_request
from calsync.ics.proxy import basic_credentials

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


class CalendarRefused(ItemError):
    """The server would not create the follow-up calendar (MKCALENDAR refused)."""


class SyncTokenInvalid(Exception):
    """The server forgot the sync token (RFC 6578 3.2): list everything again."""


class SyncUnsupported(Exception):
    """No sync-collection report here: compare ETags instead."""


def resource_path(base: str, href: str) -> str:
    """An href of a multistatus as the unquoted path that keys resources."""
    return urllib.parse.unquote(urllib.parse.urlsplit(urllib.parse.urljoin(base, href)).path)


def parse_xml(body: bytes) -> Any:
    """A multistatus or error body; None when it is not XML. DTDs and entities are refused (no entity bombs)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        return ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return None


class _Password:
    """The account's one user name and password, whatever realm and URL urllib asks about."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def find_user_password(self, realm: str, uri: str) -> tuple[str, str]:
        return self.user, self.password

    def add_password(self, *args: object) -> None:  # urllib's handler binds it; never called here
        pass


class DavConnection:
    """Requests to one account, each within one deadline and size cap (calsync.ics.fetch's rules: the password only to
    the request's own origin, no https→http, internal addresses only when the configured URL is one), with retries."""

    def __init__(self, account: Account, connect_timeout: float = 10.0, read_timeout: float = 60.0, max_redirects: int = 5,
                 retries: int = 3, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                 max_bytes: int = 20 * 1024 * 1024) -> None:
        self.account = account
        self.timeouts = (connect_timeout, read_timeout)  # (connect, whole request)
        self.max_redirects, self.retries, self.base_delay, self.sleep = max_redirects, retries, base_delay, sleep
        self.max_bytes = max_bytes
        self._authorization: str | None = None
        self._home = ""  # the principal's calendar home, once found
        self._challenge = ""  # the server's last Digest challenge, once it asked for one
        self._basic_asked = False  # a plain-http server asked for Basic
        self._digest_handler: Any = None

    def authorization(self) -> str:
        if self._authorization is None:
            self._authorization = ""
            if self.account.username:
                self._authorization = basic_credentials(self.account.username, self.account.read_password())
        return self._authorization

    def _digest(self, method: str, url: str, data: bytes) -> str:
        """The Digest Authorization (RFC 7616, via urllib's implementation) answering the last challenge."""
        import urllib.request

        if self._digest_handler is None:
            self._digest_handler = urllib.request.AbstractDigestAuthHandler(_Password(self.account.username, self.account.read_password()))
        try:
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(self._challenge.split(" ", 1)[1]))
            answer = self._digest_handler.get_authorization(urllib.request.Request(url, data=data or None, method=method), fields)
        except (ValueError, IndexError, OSError):  # a malformed challenge, qop="auth-int" only, or an unknown algorithm
            answer = None
        if not answer:
            raise AuthError(f"CalDAV {self.account.label}: the server asks for a kind of Digest login calsync does not speak; "
                            "switch the account to Basic authentication (over https)")
        return f"Digest {answer}"

    def retrying(self, call: Callable[[], Any], what: str) -> Any:
        return with_retries(call, self.account.label, what, retries=self.retries, base_delay=self.base_delay, sleep=self.sleep)

    def request(self, method: str, url: str, body: str = "", headers: Mapping[str, str] | None = None, what: str = "",
                refusal_is_answer: bool = False) -> Response:
        """One request; 401/403, 429, 5xx and 507 raise (retried when transient), other statuses are returned.

        ``refusal_is_answer``: a 403 (or 501) is the server refusing this request, not the login: returned too."""
        what = what or f"{method} {urllib.parse.urlsplit(url).path}"

        def send() -> Response:
            connect, total = self.timeouts
            shown = f"CalDAV {self.account.label} ({what})"
            data = body.encode("utf-8")

            def exchange(authorization: str) -> HttpAnswer:
                return http_request(url, method, data, dict(headers or {}), max_bytes=self.max_bytes,
                                    connect_timeout=connect, total_timeout=total, max_redirects=self.max_redirects,
                                    authorization=authorization, configured=self.account.url, shown=shown)

            try:
                if self._challenge:
                    first = self._digest(method, url, data)
                else:  # Basic unasked only over TLS: a plain-http server that wants Digest never sees the password
                    first = self.authorization() if self._basic_asked or url.lower().startswith("https:") else ""
                answer = exchange(first)
                challenge = answer.headers.get("WWW-Authenticate", "") or ""
                if answer.status == 401 and self.account.username and challenge.lower().startswith("digest "):
                    self._challenge = challenge  # Digest (Baïkal's default): answer the server's challenge, once
                    answer = exchange(self._digest(method, url, data))
                elif answer.status == 401 and self.account.username and not first and challenge.lower().startswith("basic "):
                    self._basic_asked = True  # the server asked for Basic: from now on it is sent with each request
                    answer = exchange(self.authorization())
            except FetchTimeout as exc:
                raise TimedOut(str(exc)) from None
            except Unreachable as exc:
                raise TransientError(f"{exc}; retrying later") from None
            tree = parse_xml(answer.body) if answer.body.lstrip()[:1] == b"<" else None
            if answer.status == 403 and tree is not None and tree.tag == f"{D}error" and len(tree):
                return Response(403, answer.headers, preconditions=tuple(child.tag for child in tree))  # a failed WebDAV precondition
            if refusal_is_answer and answer.status in (403, 501):
                return Response(answer.status, answer.headers)
            if answer.status in (401, 403, 429, 507) or answer.status >= 500:
                raise classify_status(answer.status, self.account.label, what)
            return Response(answer.status, answer.headers, answer.body.decode("utf-8", "replace"), tree)

        return self.retrying(send, what)

    def principal(self) -> str:
        """The account's principal URL, found from the configured URL, else from the host's /.well-known/caldav (RFC 6764)."""
        prop = "<d:current-user-principal/>"
        well_known = urllib.parse.urljoin(self.account.url, "/.well-known/caldav")
        for start in dict.fromkeys((self.account.url, well_known)):
            answer = self.request("PROPFIND", start, _propfind(prop), {**XML_HEADERS, "Depth": "0"}, "finding the principal")
            href = _text(answer.tree, f".//{D}current-user-principal/{D}href") if answer.status == 207 else ""
            if href:
                return urllib.parse.urljoin(start, href)
            if start != well_known:
                log.info("CalDAV %s: no principal at %s; trying %s", self.account.label, start, well_known)
        raise ItemError(0, f"CalDAV {self.account.label}: no CalDAV principal at {self.account.url} or {well_known}; check caldav.url")

    def calendars(self) -> dict[str, str]:
        """URL -> display name of every calendar in the principal's calendar home (RFC 4791 6.2.1)."""
        principal = self.principal()
        answer = self.propfind(principal, "<c:calendar-home-set/>", 0)
        home = urllib.parse.urljoin(principal, _text(answer.tree, f".//{C}calendar-home-set/{D}href") or principal)
        found = {}
        for response in self.propfind(home, "<d:displayname/><d:resourcetype/>", 1).tree.iter(f"{D}response"):
            if response.find(f".//{D}resourcetype/{C}calendar") is not None:
                found[urllib.parse.urljoin(home, _text(response, f"{D}href"))] = _ok_prop(response, f"{D}displayname") or ""
        self._home = home
        return found

    # -- reads
    def propfind(self, url: str, props: str, depth: int) -> Response:
        answer = self.request("PROPFIND", url, _propfind(props), {**XML_HEADERS, "Depth": str(depth)}, f"listing {urllib.parse.urlsplit(url).path}")
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
        for url, shown in self.calendars().items():
            if shown == name:
                return url
        url = urllib.parse.urljoin(self._home, "calsync-followups/")
        sets = "".join(f'<c:comp name="{escape(c)}"/>' for c in components)
        body = ('<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                f"<d:set><d:prop><d:displayname>{escape(name)}</d:displayname><c:supported-calendar-component-set>{sets}"
                "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>")
        answer = self.request("MKCALENDAR", url, body, XML_HEADERS, f"making the calendar {name!r}", refusal_is_answer=True)
        if answer.status not in (200, 201):
            if url in self.calendars():  # made by a retried request whose first answer was lost
                return url
            raise CalendarRefused(answer.status, f"CalDAV {self.account.label} refused to create the calendar {name!r} (MKCALENDAR answered "
                            f"HTTP {answer.status}); create it in your calendar app, or set caldav.calendar_url to one")
        return url


def _propfind(props: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" '
            f'xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>')


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
