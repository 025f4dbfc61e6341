"""Importing staff from a school's records (CSV): validate every row, preview, then apply.

Nothing is written unless every row is valid. Planning reads the database and returns a
plan of values; applying it (elearn.people.import_service) is a separate step, so a
preview can be shown and confirmed. No Flask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.models import Person, Role, School
from elearn.people.rules import (
    PersonError,
    clean_job_title,
    clean_name,
    normalise_email,
    parse_roles,
    unknown_school,
)
from elearn.people.staff_file import RowError, read_rows, split_roles

# The import manages training roles only; HR and administrator roles are given by hand.
IMPORTABLE_ROLES = frozenset({Role.STAFF, Role.GOVERNOR, Role.LEADER})
MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 500
# Deactivating more than this share of a school's active people, or anyone holding one of
# these roles, needs an extra, explicit confirmation: a one-row file with "Deactivate
# leavers" ticked would otherwise empty a school in one click.
LEAVER_SHARE_LIMIT_PERCENT = 20
KEY_ROLES = frozenset({Role.LEADER, Role.HR, Role.ADMIN})


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str
    school_id: int
    school_name: str
    roles: frozenset[Role]
    job_title: str | None


class Field(StrEnum):
    ACTIVE = "active"
    NAME = "name"
    SCHOOL = "school"
    ROLES = "roles"
    JOB_TITLE = "job_title"


FIELD_LABELS = {Field.NAME: "Name", Field.SCHOOL: "School", Field.ROLES: "Roles",
                Field.JOB_TITLE: "Job title"}


@dataclass(frozen=True)
class FieldChange:
    """One detail of a person the file changes, from `old` to `new` (as shown to HR)."""

    field: Field
    old: str
    new: str

    @property
    def words(self) -> str:
        if self.field is Field.ACTIVE:
            return "Reactivated (had been deactivated)"
        return f"{FIELD_LABELS[self.field]}: {self.old} \u2192 {self.new}"


@dataclass(frozen=True)
class Change:
    """An existing person the file changes."""

    person_id: int
    row: ImportRow
    fields: tuple[FieldChange, ...]

    @property
    def what(self) -> tuple[str, ...]:
        """Each change in words, for the preview and the audit trail."""
        return tuple(f.words for f in self.fields)

    def changes(self, field: Field) -> bool:
        return any(f.field is field for f in self.fields)


@dataclass(frozen=True)
class Leaver:
    person_id: int
    name: str
    email: str
    school_name: str
    roles: frozenset[Role] = frozenset()

    @property
    def key_roles(self) -> frozenset[Role]:
        return self.roles & KEY_ROLES


@dataclass(frozen=True)
class SchoolLeavers:
    """How many of a school's active people an import would deactivate."""

    school_name: str
    leavers: int
    active: int

    @property
    def percent(self) -> int:
        return round(self.leavers * 100 / self.active) if self.active else 0

    @property
    def over_limit(self) -> bool:
        return leaver_share_over_limit(self.leavers, self.active)


def leaver_share_over_limit(leavers: int, active: int) -> bool:
    """More than LEAVER_SHARE_LIMIT_PERCENT of a school's active people (integers: 1 of 5
    is exactly 20%, not over)."""
    return leavers * 100 > LEAVER_SHARE_LIMIT_PERCENT * active


@dataclass(frozen=True)
class LeaverImpact:
    """What deactivating the plan's leavers means, school by school."""

    schools: tuple[SchoolLeavers, ...]
    key_people: tuple[Leaver, ...]  # head teachers, DSLs, HR or administrators

    @property
    def total(self) -> int:
        return sum(s.leavers for s in self.schools)

    @property
    def needs_extra_confirmation(self) -> bool:
        return bool(self.key_people) or any(s.over_limit for s in self.schools)


def leaver_impact(leavers: Sequence[Leaver], active_by_school: dict[str, int]) -> LeaverImpact:
    """The leavers counted against each school's active people (before the import), and
    those among them holding a key role. Schools without leavers are left out."""
    counts: dict[str, int] = {}
    for leaver in leavers:
        counts[leaver.school_name] = counts.get(leaver.school_name, 0) + 1
    schools = tuple(SchoolLeavers(name, n, max(active_by_school.get(name, 0), n))
                    for name, n in sorted(counts.items()))
    return LeaverImpact(schools, tuple(x for x in leavers if x.key_roles))


@dataclass
class ImportPlan:
    adds: list[ImportRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    leavers: list[Leaver] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    active_by_school: dict[str, int] = field(default_factory=dict)

    @property
    def leaver_impact(self) -> LeaverImpact:
        return leaver_impact(self.leavers, self.active_by_school)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_work(self) -> bool:
        return bool(self.adds or self.changes or self.leavers)

    def digest(self) -> str:
        """Identifies what this plan would do: a confirmation must match its preview."""
        parts = [repr((r.email, r.name, r.school_id, sorted(r.roles), r.job_title))
                 for r in self.adds]
        parts += [repr((c.person_id, c.fields)) for c in self.changes]
        parts += [repr(leaver.person_id) for leaver in self.leavers]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def summary(self) -> str:
        text = (f"{len(self.adds)} to add, {len(self.changes)} to change, "
                f"{len(self.leavers)} to deactivate, {self.unchanged} unchanged")
        return text


def chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _roles_text(roles: Iterable[Role]) -> str:
    return "; ".join(sorted(r.value for r in roles)) or "(none)"


def _capture(problems: list[str], check, *args):
    """The value `check` returns, or None with its PersonError added to `problems`."""
    try:
        return check(*args)
    except PersonError as exc:
        problems.append(str(exc))
        return None


def _email(raw: str | None) -> str:
    if not raw:
        raise PersonError("An email address is required.")
    return normalise_email(raw)


def _importable_roles(raw: str) -> frozenset[Role]:
    values = split_roles(raw)
    known = {r.value for r in Role}
    for value in values:
        if value.strip().lower() not in known:
            raise PersonError(f"'{value.strip()}' is not a role (use staff, governor or "
                              "leader).")
    roles = parse_roles(values)
    refused = roles - IMPORTABLE_ROLES
    if refused:
        raise PersonError("The roles " + ", ".join(sorted(r.value for r in refused)) +
                          " cannot be given by import; only staff, governor and leader can.")
    return frozenset(roles)


def _school(raw: str, schools: dict[str, School], school_ids: set[int] | None) -> School:
    school = schools.get(raw.strip().casefold())
    if not raw:
        raise PersonError("A school is required.")
    if school is None:
        raise unknown_school(raw)
    if school_ids is not None and school.id not in school_ids:
        raise PersonError(f"'{school.name}' is not a school you manage.")
    return school


def _read_row(line: int, record: dict[str, str], schools: dict[str, School],
              school_ids: set[int] | None, seen: dict[str, int]
              ) -> tuple[ImportRow | None, list[str]]:
    """One row checked on its own: the row, or the problems with it."""
    problems: list[str] = []
    name = _capture(problems, clean_name, record.get("name", ""))
    email = _capture(problems, _email, record.get("email"))
    roles = _capture(problems, _importable_roles, record.get("roles", ""))
    job_title = _capture(problems, clean_job_title, record.get("job_title"))
    school = _capture(problems, _school, record.get("school", ""), schools, school_ids)
    if email is not None:
        if email in seen:
            problems.append(f"{email} is also on line {seen[email]}.")
        else:
            seen[email] = line
    if problems:
        return None, problems
    return ImportRow(line, name, email, school.id, school.name, roles, job_title), []


def _field_changes(person: Person, row: ImportRow, has_job_title: bool,
                   school_names: dict[int, str]) -> tuple[FieldChange, ...]:
    """What the row changes about an existing person."""
    found = []
    if not person.active:
        found.append(FieldChange(Field.ACTIVE, "inactive", "active"))
    if person.name != row.name:
        found.append(FieldChange(Field.NAME, person.name, row.name))
    if person.school_id != row.school_id:
        found.append(FieldChange(Field.SCHOOL, school_names[person.school_id],
                                 row.school_name))
    training_roles = person.roles & IMPORTABLE_ROLES
    if training_roles != row.roles:
        found.append(FieldChange(Field.ROLES, _roles_text(training_roles),
                                 _roles_text(row.roles)))
    if has_job_title and person.job_title != row.job_title:
        found.append(FieldChange(Field.JOB_TITLE, person.job_title or "(none)",
                                 row.job_title or "(none)"))
    return tuple(found)


def _compare_with_records(session: Session, plan: ImportPlan, valid: list[ImportRow],
                          has_job_title: bool, school_ids: set[int] | None,
                          school_names: dict[int, str]) -> None:
    """Sort the valid rows into people to add, to change and unchanged."""
    existing: dict[str, Person] = {}
    for chunk in chunks([r.email for r in valid]):
        for person in session.scalars(select(Person).where(Person.email.in_(chunk))):
            existing[person.email] = person
    for row in valid:
        person = existing.get(row.email)
        if person is None:
            plan.adds.append(row)
        elif school_ids is not None and person.school_id not in school_ids:
            plan.errors.append(RowError(row.line, f"{row.email} belongs to "
                                                  f"{school_names[person.school_id]}, which "
                                                  "is not a school you manage."))
        elif changes := _field_changes(person, row, has_job_title, school_names):
            plan.changes.append(Change(person.id, row, changes))
        else:
            plan.unchanged += 1


def _find_leavers(session: Session, plan: ImportPlan, valid: list[ImportRow],
                  importer_id: int | None, school_names: dict[int, str]) -> None:
    """The active people of the file's schools who are not in it; people holding the HR or
    administrator role, and the importer, are never leavers."""
    in_file = {r.email for r in valid}
    file_school_ids = {r.school_id for r in valid}
    candidates = session.scalars(
        select(Person).where(Person.school_id.in_(file_school_ids),
                             Person.active.is_(True)).order_by(Person.name))
    for person in candidates:
        if (person.email in in_file or person.id == importer_id
                or person.has_role(Role.HR, Role.ADMIN)):
            continue
        plan.leavers.append(Leaver(person.id, person.name, person.email,
                                   school_names[person.school_id], frozenset(person.roles)))
    plan.active_by_school = {
        school_names[school_id]: n for school_id, n in session.execute(
            select(Person.school_id, func.count()).where(
                Person.school_id.in_(file_school_ids), Person.active.is_(True))
            .group_by(Person.school_id))}


def plan_import(session: Session, text: str, school_ids: set[int] | None,
                deactivate_leavers: bool, importer_id: int | None = None) -> ImportPlan:
    """Validate every row against the database and work out what importing would do.

    `school_ids` are the schools the importer may change (None: all). Reads only.
    """
    plan = ImportPlan()
    raw_rows, has_job_title, plan.errors = read_rows(text)
    schools = {s.name.casefold(): s for s in session.scalars(select(School))}
    school_names = {s.id: s.name for s in schools.values()}
    seen: dict[str, int] = {}
    valid: list[ImportRow] = []
    for line, record in raw_rows:
        row, problems = _read_row(line, record, schools, school_ids, seen)
        plan.errors.extend(RowError(line, p) for p in problems)
        if row is not None:
            valid.append(row)
    plan.schools = sorted({r.school_name for r in valid})
    _compare_with_records(session, plan, valid, has_job_title, school_ids, school_names)
    if deactivate_leavers and valid:
        _find_leavers(session, plan, valid, importer_id, school_names)
    plan.errors.sort(key=lambda e: e.line or 0)
    if not plan.ok:
        plan.adds, plan.changes, plan.leavers, plan.unchanged = [], [], [], 0
    return plan
