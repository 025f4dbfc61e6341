"""Password reset requests: limited per address and per account, and answered before the
email goes, so that a known address and an unknown one cost the asker the same time."""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from elearn import mail, rate_limit
from elearn.auth.invitations import LinkSettings, password_link_message
from elearn.auth.tokens import RESET
from elearn.people.rules import find_by_email

HOUR = timedelta(hours=1)


class TooManyRequests(Exception):
    pass


def _account_key(account: str) -> str:
    return "reset-account:" + hashlib.sha256(account.encode()).hexdigest()[:40]


def request_reset(session: Session, email: str, address: str, now: datetime,
                  config: Mapping[str, Any]) -> Callable[[], None] | None:
    """Count the request; raise TooManyRequests beyond the address's limit. Returns the
    sending of the reset email, to run after the answer has gone, or None when nothing is
    to be sent (unknown or inactive person, or the account's emails used up this hour).
    The same queries run whether or not the address is known."""
    if not rate_limit.allow(session, f"reset-address:{address}"[:120],
                            config["RESET_REQUESTS_PER_ADDRESS"], HOUR, now):
        raise TooManyRequests
    account = email.strip().lower()
    person = find_by_email(session, account)
    may_send = rate_limit.allow(session, _account_key(account),
                                config["RESET_EMAILS_PER_ACCOUNT"], HOUR, now)
    if person is None or not person.active or not may_send:
        return None
    settings = LinkSettings.from_config(config)
    to, subject, body = password_link_message(settings, person, RESET)

    def send() -> None:
        try:
            mail.send(settings.mail, to, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            mail.log.warning("password reset email to %s failed: %s", to, exc)

    return send
