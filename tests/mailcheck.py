"""A real SMTP server for the mail tests (aiosmtpd on a free loopback port), what it
received, and how to point an app at it. The `smtp` and `smtp_down` fixtures are in
conftest.py."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller

SENDER = "Art Protest <noreply@example.org>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps every message it accepts; refuses recipients on demand."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse_recipients = False
        self.over_tls: list[bool] = []  # for each message, whether it came over TLS
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
            self.over_tls.append(
                session.ssl is not None  # STARTTLS, or TLS from the start
                or server.transport.get_extra_info("ssl_object") is not None
            )
        return "250 Message accepted for delivery"

    def received(self) -> list[email.message.EmailMessage]:
        """What arrived so far. Once the sender's thread has ended (settle()), that is all:
        the server keeps a message before it answers 250 to the sender."""
        with self._lock:
            return [m for _f, _t, m in self.messages]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        """Poll until `count` messages arrived (or the deadline passed); returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.02)
        with self._lock:
            return [m for _f, _t, m in self.messages]


class SMTPServer:
    """A real SMTP server on a free loopback port, started and stopped at will."""

    def __init__(self, **tls: Any) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.tls = tls  # aiosmtpd's tls_context= (STARTTLS) or ssl_context= (TLS from the start)
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **self.tls)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def use_mail(app, server: SMTPServer) -> None:
    """Mail through the test server in clear text, which the operator must ask for."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_DEFAULT_SENDER=SENDER,
        MAIL_USE_TLS=False,
    )


def body(message) -> str:
    return message.get_content().replace("\r\n", "\n")  # as sent over SMTP: CRLF


def settle(app) -> None:
    """Wait for the delivery thread the last commit started (no sleeping)."""
    from gallery import mail

    assert mail.courier(app).join(10), "the mail thread did not finish"
