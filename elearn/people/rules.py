"""Adding and changing people: the rules, with errors in HR's words. No Flask here."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from elearn.content.model import Content, Track
from elearn.models import AnyPerson, Person, Role, School


def tracks_of(content: Content, person: AnyPerson) -> tuple[Track, ...]:
    """The tracks a person must take: their roles decide."""
    return content.tracks_for_roles(person.roles)


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


# Built once; the roles joined (every sign-in reads them), not a second SELECT.
_BY_EMAIL = (select(Person).options(joinedload(Person.role_rows))
             .where(Person.email == bindparam("email")))


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalars(_BY_EMAIL, {"email": email.strip().lower()}).unique().one_or_none()


# Bidirectional embedding, override and isolate controls: they make the text after them
# display in another order (a name that reads as something else on HR's pages).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def refuse_control_characters(text: str, what: str) -> None:
    """Control characters are not part of anybody's name: NUL and the like are written raw
    into CSV and spreadsheet files, and bidi controls disguise what a page shows."""
    found = [c for c in text if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS]
    if found:
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
        raise PersonError(f"{what} contains a control character ({codes}), which is not "
                          "allowed. Retype it without copying from another document.")


def clean_name(raw: str) -> str:
    """A person's name with spaces tidied, or PersonError."""
    name = " ".join(raw.split())
    if not name:
        raise PersonError("A name is required.")
    refuse_control_characters(name, "The name")
    if len(name) > 200:
        raise PersonError("A name may be at most 200 characters.")
    return name


def clean_job_title(raw: str | None) -> str | None:
    job_title = " ".join((raw or "").split()) or None
    if job_title is not None:
        refuse_control_characters(job_title, "The job title")
    if job_title is not None and len(job_title) > 200:
        raise PersonError("A job title may be at most 200 characters.")
    return job_title


def unknown_school(name: str) -> PersonError:
    return PersonError(f"'{name}' is not a school of the Trust.")


def add_person(session: Session, new: NewPerson) -> Person:
    """Validate and add one person; nothing is added when any field is wrong."""
    name = clean_name(new.name)
    email = normalise_email(new.email)
    roles = parse_roles(new.roles)
    job_title = clean_job_title(new.job_title)
    school = session.scalar(select(School).where(School.name == new.school.strip()))
    if school is None:
        raise unknown_school(new.school)
    if find_by_email(session, email) is not None:
        raise PersonError(f"Someone with the email {email} already exists.")
    person = Person(name=name, email=email, school=school, job_title=job_title)
    person.set_roles(roles)
    session.add(person)
    return person
