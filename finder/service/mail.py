"""E-mail through the SMTP server of the configuration (Python's smtplib), one connection per batch.

``Mailer.from_config`` reads SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURITY
(``starttls``, ``ssl`` or ``none``), SMTP_TIMEOUT and MAIL_FROM; without SMTP_HOST there is no
mailer and the callers show the links to staff instead. A failed recipient never stops the
others: ``send`` returns those that failed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: str = "starttls"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Mailer | None:
        if not config.get("SMTP_HOST"):
            return None
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            sender=config["MAIL_FROM"],
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            security=config.get("SMTP_SECURITY", "starttls"),
            timeout=float(config.get("SMTP_TIMEOUT", 10.0)),
        )

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                server.starttls(context=ssl.create_default_context())
        if self.user:
            server.login(self.user, self.password or "")
        return server

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1].strip("> ") or None)
        mail.set_content(message.body)
        return mail

    def send(self, messages: list[Message]) -> list[str]:
        """Send every message over one connection; the recipients that failed (all, if the server failed)."""
        if not messages:
            return []
        failed = []
        try:
            with self._connect() as server:
                for message in messages:
                    try:
                        server.send_message(self.compose(message))
                    except smtplib.SMTPException as err:
                        log.warning("e-mail to %s refused: %s", message.to, err)
                        failed.append(message.to)
        except (OSError, smtplib.SMTPException) as err:
            log.warning("SMTP server %s:%s unavailable: %s", self.host, self.port, err)
            return [m.to for m in messages]
        return failed
