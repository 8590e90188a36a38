"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message, optionally slowly."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections import Counter
from email import message_from_bytes

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command otherwise


class _Keeper:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content)
        assert message["Subject"]
        with self.lock:
            self.recipients.extend(address.lower() for address in envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    # A port of the kernel's choosing, not a fixed one: other checkouts may run these tests at the same time.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.port = _free_port()
        self.keeper = _Keeper(delay)
        # The server thread must start and answer within ready_timeout (5 s by default): generous, because
        # a busy machine may take that long and the start is not what the tests measure.
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port, ready_timeout=60)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> Counter[str]:
        with self.keeper.lock:
            return Counter(self.keeper.recipients)
