"""Sign-in with a school's Microsoft 365 or Google Workspace account: the rules. No Flask.

Who gets in: the provider's *verified* email, matched case-insensitively to an active person
HR imported, from an allowed tenant (Entra `tid`) or hosted domain (Google `hd`). A sign-in
never creates an account. A refusal stores its audit entry and, as a failed password does,
one throttling count; nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from elearn.audit import Actor
from elearn.auth import throttle
from elearn.auth.services import THROTTLED, record_sign_in
from elearn.models import Person
from elearn.people.rules import find_by_email


@dataclass(frozen=True)
class Provider:
    """One configured OpenID Connect provider (from ELEARN_SSO_<NAME>_* settings)."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    tenants: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def callback_path(self) -> str:
        """The path of the redirect URI registered with the provider (after the base URL)."""
        return f"/sign-in/sso/{self.name}/callback"


def providers(config: Mapping[str, Any]) -> dict[str, Provider]:
    return {p["name"]: Provider(**p) for p in config.get("SSO_PROVIDERS", ())}


class Refusal(StrEnum):
    UNKNOWN = "unknown-email"
    INACTIVE = "inactive-person"
    ORGANISATION = "wrong-organisation"
    UNVERIFIED = "unverified-email"
    STATE = "replayed-state"
    TOKEN = "invalid-token"
    EXPIRED = "expired-token"
    NONCE = "wrong-nonce"
    CANCELLED = "cancelled"
    UNAVAILABLE = "provider-unavailable"
    THROTTLED = "throttled"


# Who turned the person away decides whom they should ask: HR holds the list of people, the
# school's IT support holds the accounts, and a broken or replayed reply just needs a retry.
ASK_HR = ("Ask your school's HR contact (or the Trust's HR team) to check the email address "
          "elearn holds for you.")
ASK_IT = "If you think this is wrong, ask your school's IT support."
TRY_AGAIN = ("Start again from the sign-in page. If it happens again, tell your school's IT "
             "support what this page says.")

REASONS: dict[Refusal, tuple[str, str]] = {
    Refusal.UNKNOWN: ("elearn does not know {email}. Only people HR has added to elearn can "
                      "sign in, and no account is made at sign-in.", ASK_HR),
    Refusal.INACTIVE: ("The elearn account for {email} is closed: HR has recorded that you "
                       "have left.", ASK_HR),
    Refusal.ORGANISATION: ("You signed in with a {label} account that does not belong to a "
                           "school of the Trust. Use your school account.", ASK_IT),
    Refusal.UNVERIFIED: ("{label} did not confirm that the email address belongs to the "
                         "account you signed in with.", ASK_IT),
    Refusal.STATE: ("This sign-in has already been used or has expired, so it cannot be "
                    "used again.", TRY_AGAIN),
    Refusal.TOKEN: ("{label}'s reply could not be verified, so it was not trusted.",
                    TRY_AGAIN),
    Refusal.EXPIRED: ("{label}'s reply had expired before it reached elearn.",
                      TRY_AGAIN + " Check that your device's clock is right."),
    Refusal.NONCE: ("{label}'s reply was not for this sign-in.", TRY_AGAIN),
    Refusal.CANCELLED: ("{label} did not sign you in.", TRY_AGAIN),
    Refusal.UNAVAILABLE: ("{label} could not be reached.", "Try again in a few minutes."),
    Refusal.THROTTLED: (THROTTLED, "If you did not try to sign in, tell your school's IT "
                        "support."),
}

# Refusals of a person (403) or of a broken or replayed reply (400).
PERSON_REFUSALS = {Refusal.UNKNOWN, Refusal.INACTIVE, Refusal.ORGANISATION, Refusal.UNVERIFIED}
NOT_COUNTED = {Refusal.UNAVAILABLE, Refusal.CANCELLED}


# Clock difference allowed between a provider and this server when checking expiry.
CLOCK_LEEWAY = timedelta(seconds=60)


class SsoRefused(Exception):
    """Sign-in refused; `email` is the verified address when it was known."""

    def __init__(self, reason: Refusal, email: str | None = None):
        super().__init__(reason.value)
        self.reason = reason
        self.email = email

    def explain(self, label: str) -> tuple[str, str]:
        """(why, whom to ask) in the words the refusal page shows."""
        why, ask = REASONS[self.reason]
        return why.format(label=label, email=self.email or "this email address"), ask

    @property
    def status(self) -> int:
        if self.reason is Refusal.THROTTLED:
            return 429
        if self.reason is Refusal.UNAVAILABLE:
            return 503
        return 403 if self.reason in PERSON_REFUSALS else 400


def _audience(claims: Mapping[str, Any]) -> list:
    aud = claims.get("aud")
    return aud if isinstance(aud, list) else [aud]


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def verified_email(provider: Provider, claims: Mapping[str, Any], now: datetime) -> str:
    """The lower-cased email an ID token's checked claims vouch for, or SsoRefused.

    Authlib has checked the signature, issuer, audience, expiry and nonce; they are checked
    again here, as plain rules, so that they hold whatever the client library does."""
    if claims.get("iss") != provider.issuer or provider.client_id not in _audience(claims):
        raise SsoRefused(Refusal.TOKEN)
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= (now - CLOCK_LEEWAY).timestamp():
        raise SsoRefused(Refusal.EXPIRED)
    tenant_ok = bool(provider.tenants) and claims.get("tid") in provider.tenants
    domain_ok = bool(provider.domains) and str(claims.get("hd", "")).lower() in provider.domains
    if not (tenant_ok or domain_ok):
        raise SsoRefused(Refusal.ORGANISATION)
    email = str(claims.get("email") or "").strip().lower()
    # Google says `email_verified`; Entra ID says `xms_edov` (the email's domain is verified
    # by the tenant), an optional claim the README asks to switch on.
    if not email or not (_is_true(claims.get("email_verified"))
                         or _is_true(claims.get("xms_edov"))):
        raise SsoRefused(Refusal.UNVERIFIED, email or None)
    return email


def person_for_email(session: Session, email: str) -> Person:
    """The active person HR imported with this email (stored lower-cased), or SsoRefused."""
    person = find_by_email(session, email)
    if person is None:
        raise SsoRefused(Refusal.UNKNOWN, email)
    if not person.active:
        raise SsoRefused(Refusal.INACTIVE, email)
    return person


def check_address(session: Session, address: str, now: datetime,
                  limits: Mapping[str, Any]) -> None:
    """Refuse an address that has failed too often, before anything else is looked at."""
    if throttle.origin_retry_at(session, address, now,
                                throttle.Limits.from_config(limits)) is not None:
        raise SsoRefused(Refusal.THROTTLED)


def sign_in(session: Session, actor: Actor, provider: Provider, claims: Mapping[str, Any],
            now: datetime, limits: Mapping[str, Any]) -> Person:
    """The person these verified ID token claims sign in, with the same throttling and audit
    entry as a password sign-in; SsoRefused (nothing recorded yet) otherwise."""
    email = verified_email(provider, claims, now)
    # The same rule as a password sign-in from this address (elearn.auth.throttle): wrong
    # passwords tried elsewhere never stop the owner.
    if throttle.retry_at(session, email, actor.address or "unknown", now,
                         throttle.Limits.from_config(limits)) is not None:
        raise SsoRefused(Refusal.THROTTLED, email)
    person = person_for_email(session, email)
    throttle.clear_account(session, email)
    record_sign_in(session, person, now)
    Actor(person.id, actor.address).record(session, "sign-in", f"person:{person.id}",
                                           via=provider.name)
    return person


def record_refusal(session: Session, actor: Actor, provider: Provider, refusal: SsoRefused,
                   now: datetime) -> None:
    """The audit entry of a refused sign-in, and its throttling count (as a wrong password's).
    A throttled attempt is not counted again, as with passwords; nor is a provider that is
    down or a Cancel pressed there: nobody guessed anything, and a school's shared address
    must not be locked out because the provider is unreachable."""
    account = refusal.email or f"sso:{provider.name}"
    if refusal.reason is Refusal.THROTTLED:
        actor.record(session, "sign-in-throttled", f"account:{account}", via=provider.name)
        return
    if refusal.reason not in NOT_COUNTED:
        throttle.record_failure(session, account, actor.address or "unknown", now)
    actor.record(session, "sign-in-refused", f"account:{account}", via=provider.name,
                 reason=refusal.reason.value)
