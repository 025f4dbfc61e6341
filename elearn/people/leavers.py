"""Leavers: marking them, and erasing their personal details after retention. No Flask."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elearn.models import Certificate, LoginFailure, Person

ERASED_NAME = "Former member of the Trust"
HOLDER_REMOVED = "Holder details removed"


class PrivacyError(ValueError):
    pass


def mark_leaver(person: Person, left_on: date) -> None:
    """Deactivate a leaver and end their sessions; details are erased after retention."""
    if person.erased_at is not None:
        raise PrivacyError("This person's details have already been erased.")
    person.active = False
    person.left_on = left_on
    person.end_all_sessions()


def due_for_erasure(session: Session, today: date, retention_days: int) -> list[Person]:
    cutoff = today - timedelta(days=retention_days)
    return list(session.scalars(select(Person).where(
        Person.left_on.is_not(None), Person.left_on <= cutoff, Person.erased_at.is_(None))))


def erase(session: Session, person: Person, now: datetime) -> None:
    """Remove a leaver's personal details; anonymous results and verification remain."""
    old_email = person.email
    person.name = ERASED_NAME
    person.email = f"erased-{person.id}@erased.invalid"
    person.job_title = None
    person.password_hash = None
    person.last_sign_in_at = None
    person.end_all_sessions()
    person.erased_at = now
    for certificate in session.scalars(select(Certificate).where(
            Certificate.person_id == person.id)):
        # The stored PDF carries the name: it goes; the record still verifies.
        certificate.holder_name = HOLDER_REMOVED
        certificate.pdf = b""
    session.execute(delete(LoginFailure).where(LoginFailure.account == old_email))
