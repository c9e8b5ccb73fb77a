"""The Calendar API client, built lazily; the batch endpoint follows the configured API endpoint."""
from __future__ import annotations

import urllib.parse
from typing import Any

from calsync.config import Config

DEFAULT_ENDPOINT = "https://www.googleapis.com/calendar/v3/"


def endpoint(config: Config) -> str:
    return config.google.api_endpoint or DEFAULT_ENDPOINT


def batch_uri(api_endpoint: str) -> str:
    """googleapiclient's batch URI ignores api_endpoint; derive it from the same host."""
    parts = urllib.parse.urlsplit(api_endpoint)
    return f"{parts.scheme}://{parts.netloc}/batch/calendar/v3"


def build_service(config: Config, credentials: Any, timeout: float = 30.0) -> Any:
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
    return build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False,
                 client_options={"api_endpoint": endpoint(config)})


def new_batch(service: Any, config: Config, callback: Any) -> Any:
    from googleapiclient.http import BatchHttpRequest

    return BatchHttpRequest(callback=callback, batch_uri=batch_uri(endpoint(config)))
