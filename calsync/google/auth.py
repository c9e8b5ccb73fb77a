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
    with os.fdopen(fd, "w") as handle:
        handle.write(credentials.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_credentials(config: Config, refresh: bool = False) -> Any:
    """Stored credentials, refreshed when expired (or when asked); never runs the browser flow."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    path = token_path(config)
    try:
        info = json.loads(path.read_text())
        credentials = Credentials.from_authorized_user_info(info)
        if config.google.token_uri:
            credentials = credentials.with_token_uri(config.google.token_uri)
    except FileNotFoundError:
        raise AuthError(f"no Google authorization at {path}; run `calsync auth google --client-secrets FILE`") from None
    except (OSError, ValueError) as exc:
        raise AuthError(f"{path}: not a usable Google token ({exc}); run `calsync auth google --client-secrets FILE`") from None
    if refresh or not credentials.valid:
        try:
            credentials.refresh(Request())
        except RefreshError:
            raise AuthError("Google authorization was revoked or has expired; run `calsync auth google --client-secrets FILE`") from None
        except TransportError as exc:
            from calsync.errors import TransientError

            raise TransientError(f"cannot reach Google to refresh the authorization ({exc}); retrying later") from None
    return credentials


def run_flow(config: Config, client_secrets: Path, port: int, write_existing: bool) -> Path:
    """The installed-app flow: prints the URL to open (no browser on a server), stores the token."""
    from google_auth_oauthlib.flow import InstalledAppFlow

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
