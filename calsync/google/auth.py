"""OAuth for Google Calendar: the installed-app flow (only in `calsync auth`), tokens as JSON, refresh."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from calsync.config import Config
from calsync.errors import AuthError

SCOPE_READ_EVENTS = "https://www.googleapis.com/auth/calendar.events.readonly"
SCOPE_APP_CALENDARS = "https://www.googleapis.com/auth/calendar.app.created"
SCOPE_WRITE_EVENTS = "https://www.googleapis.com/auth/calendar.events"
SCOPE_CALENDAR = "https://www.googleapis.com/auth/calendar"
SCOPE_CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
# A granted scope covers the scopes listed with it (Google's scope hierarchy for the calls calsync makes).
COVERS = {
    SCOPE_READ_EVENTS: {SCOPE_READ_EVENTS, SCOPE_WRITE_EVENTS, SCOPE_CALENDAR_READONLY, SCOPE_CALENDAR},
    SCOPE_APP_CALENDARS: {SCOPE_APP_CALENDARS, SCOPE_CALENDAR},
    SCOPE_WRITE_EVENTS: {SCOPE_WRITE_EVENTS, SCOPE_CALENDAR},
}
PURPOSE = {SCOPE_READ_EVENTS: "reading Google sources", SCOPE_APP_CALENDARS: "writing follow-ups into calsync's own calendar",
           SCOPE_WRITE_EVENTS: "writing follow-ups into google.sink_calendar_id"}
REAUTHORIZE = "run `calsync auth google --client-secrets FILE`"
TOKEN_NAME = "google-token.json"
CREDENTIAL_NAME = "google-token"


def scopes_for(config: Config, write_existing: bool = False) -> list[str]:
    """The least access the configured setup needs."""
    scopes = []
    if any(s.kind == "google" for s in config.sources):
        scopes.append(SCOPE_READ_EVENTS)
    if config.google.sink or not scopes:
        scopes.append(SCOPE_WRITE_EVENTS if (write_existing or config.google.sink_calendar_id) else SCOPE_APP_CALENDARS)
    return scopes


def sink_scopes(config: Config) -> list[str]:
    return [SCOPE_WRITE_EVENTS if config.google.sink_calendar_id else SCOPE_APP_CALENDARS]


def short(scope: str) -> str:
    return scope.rsplit("/", 1)[-1]


def missing_scopes(granted: list[str] | None, needed: list[str], calendar_exists: bool = False) -> list[str]:
    """The needed scopes no granted scope covers; nothing when the grant is unknown (an old token file).

    Once calsync's own calendar exists, calendar.events writes into it as well as calendar.app.created does:
    only making the calendar needs calendar.app.created.
    """
    if granted is None:
        return []
    have = set(granted)
    covers = dict(COVERS)
    if calendar_exists:
        covers[SCOPE_APP_CALENDARS] = COVERS[SCOPE_APP_CALENDARS] | {SCOPE_WRITE_EVENTS}
    return [scope for scope in needed if not have & covers.get(scope, {scope})]


def own_calendar_known(config: Config) -> bool:
    """Is the follow-up calendar already there: configured by ID, or made by calsync (its ID kept in state)?"""
    if config.google.sink_calendar_id:
        return True
    from calsync.state import StateStore, state_path

    path = state_path(config.state_dir)
    if not path.exists():
        return False
    try:
        with StateStore(path, config.plan.zone, readonly=True) as store:
            return bool(store.get_meta("google_sink_calendar"))
    except Exception:  # noqa: BLE001 — an unreadable state says nothing about the calendar
        return False


def granted_scopes(credentials: Any) -> list[str] | None:
    granted = getattr(credentials, "granted_scopes", None) or credentials.scopes
    if isinstance(granted, str):
        return granted.split()
    return list(granted) if granted is not None else None


def lacking(missing: list[str]) -> str:
    return ("Google authorization lacks " + ", ".join(f"{short(s)} (needed for {PURPOSE.get(s, 'this setup')})" for s in missing)
            + f"; {REAUTHORIZE} and allow it")


def token_path(config: Config) -> Path:
    """config google.token_file, else the systemd credential, else the state directory."""
    if config.google.token_file:
        return Path(config.google.token_file).expanduser()
    credentials_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials_dir and _nonempty(Path(credentials_dir) / CREDENTIAL_NAME):  # empty: the unit's SetCredential= fallback
        return Path(credentials_dir) / CREDENTIAL_NAME
    return config.state_dir / TOKEN_NAME


def _nonempty(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return bool(handle.read(64).strip())
    except OSError:
        return False


def save_token(path: Path, credentials: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    data = json.loads(credentials.to_json())
    granted = granted_scopes(credentials)
    if granted is not None:
        data["scopes"] = granted  # what the user allowed, which may be less than asked for
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(data))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_credentials(config: Config, refresh: bool = False, needs: list[str] | None = None,
                     calendar_exists: bool = False) -> Any:
    """Stored credentials holding ``needs`` (default: every scope the setup uses), refreshed when expired (or when
    asked); never runs the browser flow. A missing scope is an AuthError naming it."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    path = token_path(config)
    try:
        info = json.loads(path.read_text())
        credentials = Credentials.from_authorized_user_info(info)
        if config.google.token_uri:
            expiry = credentials.expiry
            credentials = credentials.with_token_uri(config.google.token_uri)
            credentials.expiry = expiry  # the copy drops it: calsync would pay a 401 before every refresh
    except FileNotFoundError:
        raise AuthError(f"no Google authorization at {path}; run `calsync auth google --client-secrets FILE`") from None
    except (OSError, ValueError) as exc:
        raise AuthError(f"{path}: not a usable Google token ({exc}); run `calsync auth google --client-secrets FILE`") from None
    needed = scopes_for(config) if needs is None else needs
    missing = missing_scopes(granted_scopes(credentials), needed, calendar_exists)
    if missing:
        raise AuthError(lacking(missing))
    if refresh or not credentials.valid:
        from calsync.google.errors import classify

        base = Request()

        def bounded(*args: Any, **kwargs: Any) -> Any:  # google-auth waits up to 120 s by default
            kwargs.setdefault("timeout", (config.fetch.connect_timeout, config.fetch.total_timeout))
            return base(*args, **kwargs)

        try:
            credentials.refresh(bounded)
        except (RefreshError, TransportError) as exc:
            raise classify(exc) from None
        missing = missing_scopes(granted_scopes(credentials), needed, calendar_exists)
        if missing:
            raise AuthError(lacking(missing))
    return credentials


def run_flow(config: Config, client_secrets: Path, port: int, write_existing: bool) -> Path:
    """The installed-app flow: prints the URL to open (no browser on a server), stores the token."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    # Users may untick scopes on the consent screen: take what was granted (and say so) instead of failing.
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=scopes_for(config, write_existing))
    credentials = flow.run_local_server(
        host="localhost", port=port, open_browser=False,
        authorization_prompt_message=("Open this URL in a browser (on a headless server, first forward the port: "
                                      f"ssh -L {port}:localhost:{port} THIS-SERVER):\n{{url}}"),
        success_message="calsync is authorized; you can close this tab.",
    )
    path = config.state_dir / TOKEN_NAME if not config.google.token_file else Path(config.google.token_file).expanduser()
    save_token(path, credentials)
    return path


def grant_notes(config: Config, path: Path) -> list[str]:
    """After `auth`: one line per scope the user did not allow, saying what will not work."""
    try:
        granted = json.loads(path.read_text()).get("scopes")
    except (OSError, ValueError):
        return []
    return [f"not allowed: {short(s)} — {PURPOSE.get(s, 'part of this setup')} will not work; {REAUTHORIZE} again "
            "and allow it" for s in missing_scopes(granted, scopes_for(config))]
