"""Invitations and password-reset links: one service for the HR pages, the staff import
and the command line. No Flask here: the settings come from the app's config."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from elearn import mail
from elearn.auth.tokens import INVITE, RESET, make_token
from elearn.models import Person

# The pages that read the links (elearn.auth.views); a test follows an emailed link.
LINK_PATHS = {INVITE: "/invitation/", RESET: "/reset-password/"}


@dataclass(frozen=True)
class LinkSettings:
    secret_key: str
    base_url: str
    trust_name: str
    invitation_days: int
    reset_minutes: int
    mail: mail.MailSettings

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LinkSettings:
        return cls(config["SECRET_KEY"], config["BASE_URL"], config["TRUST_NAME"],
                   config["INVITATION_DAYS"], config["RESET_MINUTES"],
                   mail.MailSettings.from_config(config))


def password_link(settings: LinkSettings, person: Person, purpose: str) -> str:
    """A link that sets the person's password once; it stops working when the password or
    the person's sessions change."""
    token = make_token(settings.secret_key, purpose, person.id, person.password_hash,
                       person.session_token)
    return settings.base_url + LINK_PATHS[purpose] + token


def _message(settings: LinkSettings, person: Person, purpose: str, link: str
             ) -> tuple[str, str]:
    trust = settings.trust_name
    if purpose == INVITE:
        return (f"{trust}: set up your elearn account",
                f"Dear {person.name},\n\nYou have been invited to elearn, the {trust}'s "
                f"Social Media Policy training.\n\nSet your password here (the link works "
                f"once, for {settings.invitation_days} days):\n{link}\n")
    return (f"{trust}: reset your elearn password",
            f"Dear {person.name},\n\nSomeone asked to reset your elearn password. If it "
            f"was you, use this link within {settings.reset_minutes} minutes (it works "
            f"once):\n{link}\n\nIf it was not you, ignore this email; your password has not "
            "changed.\n")


def password_link_message(settings: LinkSettings, person: Person, purpose: str
                          ) -> tuple[str, str, str]:
    """The address, subject and body of an invitation or reset email, ready to send later."""
    subject, body = _message(settings, person, purpose,
                             password_link(settings, person, purpose))
    return person.email, subject, body


def send_password_link(settings: LinkSettings, person: Person, purpose: str) -> None:
    """Email the person an invitation or a reset link (after the change is committed)."""
    mail.send(settings.mail, *password_link_message(settings, person, purpose))


def send_invitations(settings: LinkSettings, people: Iterable[Person]
                     ) -> list[tuple[Person, str]]:
    """Invite each person; returns those it failed for, with why (the others went)."""
    failed = []
    for person in people:
        try:
            send_password_link(settings, person, INVITE)
        except (OSError, smtplib.SMTPException) as exc:
            failed.append((person, str(exc) or exc.__class__.__name__))
    return failed
