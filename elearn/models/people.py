"""Schools, people and their roles."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    STAFF = "staff"
    GOVERNOR = "governor"
    LEADER = "leader"
    HR = "hr"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.STAFF: "Staff",
    Role.GOVERNOR: "Governor or trustee",
    Role.LEADER: "Head teacher or DSL",
    Role.HR: "HR",
    Role.ADMIN: "Administrator",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class School(Base):
    """A school of the Trust, or the Trust's central team (is_central)."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_central: Mapped[bool] = mapped_column(Boolean, default=False)

    people: Mapped[list[Person]] = relationship(back_populates="school")


class Person(UserMixin, Base):
    """Anyone bound by the policy or running the training: staff, governors, HR, admins."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Flask-Login's id for this person: rotating it ends every session they hold.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A leaver: deactivated on this date; personal details erased after the retention period.
    left_on: Mapped[date | None] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship(back_populates="people")
    role_rows: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [PersonRole(role=r.value) for r in sorted(roles) if r not in have]

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    def stamped_session_id(self) -> str:
        """The id a sign-in now keeps: the token and the time (elearn.auth.sessions refuses
        it once the longest session has passed)."""
        return f"{self.session_token}.{int(time.time())}"

    @property
    def is_active(self) -> bool:
        return self.active

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()


@dataclass(frozen=True)
class SchoolSummary:
    """What a request needs of the signed-in person's school."""

    id: int
    name: str
    is_central: bool


@dataclass(frozen=True)
class SignedInPerson:
    """The signed-in person as every request sees them (Flask-Login's current_user): read in
    one statement as plain values, not an ORM object. It answers what Person answers for
    the rules (id, name, school, roles); a view that changes the person loads the Person.

    Loading the Person and its role rows through the ORM was a fifth of a question page's
    time, on every signed-in request."""

    id: int
    name: str
    email: str
    school_id: int
    school: SchoolSummary
    roles: frozenset[Role]
    session_token: str

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def get_id(self) -> str:
        return self.session_token


# What the rules read of a person (id, name, school, roles) either has.
AnyPerson = Person | SignedInPerson


class PersonRole(Base):
    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    person: Mapped[Person] = relationship(back_populates="role_rows")


class LoginFailure(Base):
    """One failed sign-in, kept in the database: throttling survives restarts, spans servers."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_at", "account", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateLimitHit(Base):
    """One request to a rate-limited page, counted in the database so every server agrees."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UsedToken(Base):
    """A single-use token (invitation, reset) that has been spent."""

    __tablename__ = "used_token"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


