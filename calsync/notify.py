"""The systemd notify protocol over its AF_UNIX datagram socket, without extra dependencies."""
from __future__ import annotations

import os
import socket

from calsync.ics.redaction import scrub


class SystemdNotifier:
    """Sends READY=1, STATUS=…, WATCHDOG=1, STOPPING=1; silent when not under systemd."""

    def __init__(self, address: str | None = None) -> None:
        address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        self.watchdog_seconds = int(usec) / 1e6 if usec.isdigit() and (not pid or pid == str(os.getpid())) else 0.0

    def send(self, *fields: str) -> bool:
        if not self.address:
            return False
        message = "\n".join(fields).encode("utf-8", "replace")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.setblocking(False)  # a reader that has stopped reading must never stall the daemon
                sock.connect(self.address)
                sock.sendall(message)
            return True
        except OSError:
            return False

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={scrub(status)}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={scrub(status)}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")
