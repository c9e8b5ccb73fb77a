"""A real Radicale on 127.0.0.1 (port 0, htpasswd auth) behind the logging, fault-injecting layer of dav_server.py."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from tests.caldav.dav_server import PASSWORD, USER, DavServer, Fault, Op

__all__ = ["PASSWORD", "USER", "Fault", "Op", "Radicale"]


class Radicale(DavServer):
    name = "radicale"
    home = f"/{USER}/"

    def _make_app(self) -> Callable:
        import radicale
        import radicale.config

        logging.getLogger("radicale").setLevel(logging.ERROR)
        (self.root / "users").write_text(f"{USER}:{PASSWORD}\n")
        conf = radicale.config.load([])
        conf.update({"auth": {"type": "htpasswd", "htpasswd_filename": str(self.root / "users"), "htpasswd_encryption": "plain", "delay": 0},
                     "storage": {"filesystem_folder": str(self.root / "collections"), "_filesystem_fsync": False}, "rights": {"type": "owner_only"}}, "test", privileged=True)
        return radicale.Application(conf)

    def collection_dir(self, path: str) -> Path:
        return self.root / "collections" / "collection-root" / path.strip("/")
