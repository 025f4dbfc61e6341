"""Sign-in and password services: rules only, no request or flash()."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from elearn.auth import throttle
from elearn.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from elearn.auth.tokens import TokenError, read_token, token_digest, token_matches
from elearn.hot_statements import HotStatement
from elearn.models import Person, Role, UsedToken
from elearn.people.rules import find_by_email


class SignInError(ValueError):
    pass


class ThrottledError(SignInError):
    pass


SIGN_IN_FAILED = "The email address or password is not right. Check them and try again."


THROTTLED = ("Too many failed sign-ins from here. For your security, wait a few minutes and "
             "try again, or reset your password.")


def throttled_message(wait: timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))  # rounded up
    return (f"Too many failed sign-ins from here. For your security, wait {minutes} "
            f"minute{'s' if minutes != 1 else ''} and try again, or reset your password.")


def authenticate(session: Session, email: str, password: str, origin: str, now: datetime,
                 limits: throttle.Limits, settings: Mapping[str, Any]) -> Person:
    """Return the person for these credentials or raise SignInError with one message for all.
    `origin` is the address, or the browser when it signed in to this account before."""
    account = email.strip().lower()
    retry = throttle.retry_at(session, account, origin, now, limits)
    if retry is not None:
        raise ThrottledError(throttled_message(retry - now))
    person = find_by_email(session, account)
    stored_hash = person.password_hash if person else None
    may_sign_in = person is not None and person.active and password_allowed(person, settings)
    # End the transaction before the deliberately slow hash: on SQLite a POST's transaction
    # holds the database's write lock, and other learners must not queue behind argon2.
    # Nothing was written: the person is set aside meanwhile, so that the commit does not
    # expire what was just read (and it is not read again after).
    if person is not None:
        session.expunge(person)
    session.commit()
    if person is not None:
        session.add(person)
    ok = verify_password(stored_hash, password)
    if not ok or not may_sign_in:
        throttle.record_failure(session, account, origin, now)
        raise SignInError(SIGN_IN_FAILED)
    if needs_rehash(stored_hash):
        # Only over the hash just checked: a password reset committed during the check (the
        # transaction ended before it) must not be undone by the old password's new hash.
        session.connection().execute(
            update(Person.__table__)
            .where(Person.__table__.c.id == person.id,
                   Person.__table__.c.password_hash == stored_hash)
            .values(password_hash=hash_password(password)))
    throttle.clear_account(session, account)
    record_sign_in(session, person, now)
    return person


_SIGNED_IN = HotStatement(update(Person.__table__)
                          .where(Person.__table__.c.id == bindparam("person_id"))
                          .values(last_sign_in_at=bindparam("now")))


def record_sign_in(session: Session, person: Person, now: datetime) -> None:
    """Note when the person signed in: a statement run at once, not a change the unit of
    work flushes (its flush cost more than the row); the loaded person shows it too."""
    _SIGNED_IN.execute(session, {"person_id": person.id, "now": now})
    set_committed_value(person, "last_sign_in_at", now)


def password_allowed(person: Person, settings: Mapping[str, Any]) -> bool:
    """With ELEARN_PASSWORD_SIGN_IN=admins, only administrators sign in with a password (so
    that they can still get in if the school's provider is down); everyone else uses SSO.
    A refused right password looks like a wrong one: it reveals nothing to a guesser."""
    return settings.get("PASSWORD_SIGN_IN", "everyone") == "everyone" or person.has_role(
        Role.ADMIN)


def person_for_token(session: Session, secret_key: str, purpose: str, token: str,
                     max_age_seconds: int) -> Person:
    """The person a link was made for, if it is valid, unexpired and unused."""
    claim = read_token(secret_key, purpose, token, max_age_seconds)
    person = session.get(Person, claim.person_id)
    if (person is None or not person.active
            or session.get(UsedToken, token_digest(token)) is not None
            or not token_matches(claim, person.password_hash, person.session_token)):
        raise TokenError("This link has already been used or is no longer valid. "
                         "Ask for a new one.")
    return person


def set_password(session: Session, person: Person, password: str, token: str | None) -> None:
    """Set a new password, spend the link, and end every existing session of the person."""
    problem = password_problem(password, person.email)
    if problem:
        raise ValueError(problem)
    person.password_hash = hash_password(password)
    person.end_all_sessions()
    throttle.clear_account(session, person.email)  # the owner proved themselves by email
    if token is not None:
        session.add(UsedToken(digest=token_digest(token)))
