"""A real Xandikos (the stricter server vdirsyncer's CI uses) on 127.0.0.1, port 0, behind dav_server.py's layer.

Xandikos checks no passwords itself: it is meant to run behind a front end that does (its docs; its own
--htpasswd needs TLS). The layer here is that front end: Basic auth against USER/PASSWORD, then REMOTE_USER,
which Xandikos honours. Its calendars are git working trees: /robin/calendars/<slug>/ holds the resources as files.
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path

from tests.caldav.dav_server import PASSWORD, USER, DavServer


class Xandikos(DavServer):
    name = "xandikos"
    home = f"/{USER}/calendars/"

    def _make_app(self) -> Callable:
        from xandikos.web import SingleUserFilesystemBackend, XandikosApp
        from xandikos.wsgi_helpers import WellknownRedirector

        logging.getLogger("xandikos").setLevel(logging.ERROR)
        backend = SingleUserFilesystemBackend(str(self.root / "data"))
        principal = f"/{USER}/"
        backend._mark_as_principal(principal)  # as `xandikos --autocreate` and xandikos.wsgi do
        backend.create_principal(principal, create_defaults=True)
        return WellknownRedirector(XandikosApp(backend, current_user_principal=principal), "/")  # as `xandikos` serves /.well-known/caldav

    def _authorize(self, environ: dict) -> bool:
        scheme, _, encoded = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        try:
            given = base64.b64decode(encoded, validate=True).decode("utf-8") if scheme.lower() == "basic" else ""
        except ValueError:
            given = ""
        if given != f"{USER}:{PASSWORD}":
            return False
        environ["REMOTE_USER"] = USER
        return True

    def collection_dir(self, path: str) -> Path:
        return self.root / "data" / path.strip("/")
