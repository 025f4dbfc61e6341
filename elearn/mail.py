"""Sending email through the configured SMTP server (stdlib smtplib)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    use_ssl: bool
    sender: str

    @property
    def configured(self) -> bool:
        """Whether emails are really sent; without a server they are only logged."""
        return bool(self.server)

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USERNAME"],
                   config["MAIL_PASSWORD"], config["MAIL_USE_TLS"], config["MAIL_USE_SSL"],
                   config["MAIL_FROM"])


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Send one message; with no server configured (development) it is written to the log."""
    message = build_message(settings.sender, to, subject, body)
    if not settings.configured:
        log.warning("No ELEARN_MAIL_SERVER set; this email was not sent:\n%s", message)
        return
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    with smtp_class(settings.server, settings.port, timeout=30) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
