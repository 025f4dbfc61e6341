"""Adding and changing people: the rules, with errors in HR's words. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.models import Person, Role, School


class PersonError(ValueError):
    """The person cannot be added or changed as asked; the message says why."""


@dataclass(frozen=True)
class NewPerson:
    name: str
    email: str
    school: str
    roles: tuple[str, ...]
    job_title: str | None = None


def normalise_email(email: str) -> str:
    """Check an address is well formed and return it lower-cased, or raise PersonError."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise PersonError(f"'{email}' is not a valid email address: {exc}") from exc
    return checked.normalized.lower()


def parse_roles(raw: tuple[str, ...] | list[str]) -> set[Role]:
    roles: set[Role] = set()
    for value in raw:
        try:
            roles.add(Role(value.strip().lower()))
        except ValueError as exc:
            known = ", ".join(r.value for r in Role)
            raise PersonError(f"'{value}' is not a role (use {known}).") from exc
    if not roles:
        raise PersonError("A person needs at least one role.")
    return roles


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def add_person(session: Session, new: NewPerson) -> Person:
    """Validate and add one person; nothing is added when any field is wrong."""
    name = " ".join(new.name.split())
    if not name:
        raise PersonError("A name is required.")
    if len(name) > 200:
        raise PersonError("A name may be at most 200 characters.")
    email = normalise_email(new.email)
    roles = parse_roles(new.roles)
    school = session.scalar(select(School).where(School.name == new.school.strip()))
    if school is None:
        raise PersonError(f"'{new.school}' is not a school of the Trust.")
    if find_by_email(session, email) is not None:
        raise PersonError(f"Someone with the email {email} already exists.")
    person = Person(name=name, email=email, school=school,
                    job_title=(new.job_title or "").strip() or None)
    person.set_roles(roles)
    session.add(person)
    return person
