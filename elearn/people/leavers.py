"""Leavers: marking them, and erasing their personal details after retention. No Flask."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from elearn.models import Certificate, LoginFailure, Person, PersonRole, Role

ERASED_NAME = "Former member of the Trust"
HOLDER_REMOVED = "Holder details removed"


class PrivacyError(ValueError):
    pass


def other_active_admins(session: Session, person: Person) -> int:
    return session.scalar(select(func.count()).select_from(Person).join(PersonRole).where(
        PersonRole.role == Role.ADMIN.value, Person.active.is_(True),
        Person.id != person.id)) or 0


def mark_leaver(session: Session, person: Person, left_on: date) -> None:
    """Deactivate a leaver and end their sessions; details are erased after retention. The
    Trust's last active administrator is never deactivated: nobody could then give the role
    again."""
    if person.erased_at is not None:
        raise PrivacyError("This person's details have already been erased.")
    if person.active and person.has_role(Role.ADMIN) and not other_active_admins(session,
                                                                                 person):
        raise PrivacyError(f"{person.name} is the last active administrator of elearn. Give "
                           "someone else the administrator role first.")
    person.active = False
    person.left_on = left_on
    person.end_all_sessions()


def due_for_erasure(session: Session, today: date, retention_days: int) -> list[Person]:
    """Leavers past retention: inactive *and* left long enough ago. Both are checked, so a
    leaving date left behind on someone active again can never get them erased."""
    cutoff = today - timedelta(days=retention_days)
    return list(session.scalars(select(Person).where(
        Person.active.is_(False), Person.left_on.is_not(None), Person.left_on <= cutoff,
        Person.erased_at.is_(None))))


def erase(session: Session, person: Person, now: datetime) -> None:
    """Remove a leaver's personal details; anonymous results and verification remain."""
    if person.active:
        raise PrivacyError("An active person's details are never erased.")
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
