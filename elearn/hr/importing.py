"""Importing staff from a school's records (CSV): validate every row, preview, then apply.

Nothing is written unless every row is valid. Planning reads the database and returns a
plan; applying it is a separate step, so a preview can be shown and confirmed. No Flask.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.models import Person, Role, School
from elearn.people import (
    PersonError,
    clean_job_title,
    clean_name,
    normalise_email,
    parse_roles,
    unknown_school,
)

COLUMNS = ("name", "email", "school", "roles", "job_title")
REQUIRED = ("name", "email", "school", "roles")
HEADER_ALIASES = {"role": "roles", "job title": "job_title", "jobtitle": "job_title",
                  "email address": "email", "e-mail": "email", "full name": "name"}
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
class RowError:
    line: int | None  # None: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str
    school_id: int
    school_name: str
    roles: frozenset[Role]
    job_title: str | None


@dataclass(frozen=True)
class Change:
    """An existing person the file changes; `what` lists each change in words."""

    person_id: int
    row: ImportRow
    what: tuple[str, ...]


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
        parts += [repr((c.person_id, c.what)) for c in self.changes]
        parts += [repr(leaver.person_id) for leaver in self.leavers]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def summary(self) -> str:
        text = (f"{len(self.adds)} to add, {len(self.changes)} to change, "
                f"{len(self.leavers)} to deactivate, {self.unchanged} unchanged")
        return text


def decode(data: bytes) -> str:
    """The file's text; spreadsheets' 'CSV UTF-8' starts with a byte-order mark, dropped here."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PersonError("The file is not UTF-8 text. In Excel choose File › Save As › "
                          "'CSV UTF-8 (Comma delimited)' and upload that file.") from exc


def _header_key(raw: str) -> str:
    key = " ".join(raw.strip().lower().replace("_", " ").split())
    key = HEADER_ALIASES.get(key, key)
    return key.replace(" ", "_")


def split_roles(raw: str) -> list[str]:
    """The roles of one cell. ";" is the separator to use; a comma also works when the
    value is quoted ("staff, leader"), as a spreadsheet saves it, so such files still import.
    An unquoted comma starts a new column."""
    return [part for part in re.split(r"[;,]", raw) if part.strip()]


SEMICOLON_FILE = ("This file uses semicolons between columns; save it as CSV with commas "
                  "(in Excel: CSV UTF-8).")


def uses_semicolons(header: Sequence[str]) -> bool:
    """Whether a header read with commas is really the columns separated by semicolons, as
    spreadsheets set to some European regions save "CSV". Such files are refused, not
    guessed at: ";" also separates roles, so an unquoted "staff;leader" in them would be
    read as two columns."""
    keys = {_header_key(part) for cell in header for part in cell.split(";")}
    return any(";" in cell for cell in header) and all(c in keys for c in REQUIRED)


def read_rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], bool, list[RowError]]:
    """(line number, values by column) for each data row, whether a job title column is
    present, and file-level problems."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], False, [RowError(None, "The file is empty.")]
    except csv.Error as exc:
        return [], False, [RowError(1, f"The header cannot be read as CSV: {exc}.")]
    keys = [_header_key(h) for h in header]
    missing = [c for c in REQUIRED if c not in keys]
    if missing and uses_semicolons(header):
        return [], False, [RowError(1, SEMICOLON_FILE)]
    if missing:
        return [], False, [RowError(1, "The first line must name the columns name, email, "
                                       "school, roles (and optionally job_title); missing: "
                                       + ", ".join(missing) + ".")]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, f"this line cannot be read as CSV: {exc}."))
            break
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are allowed
        if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
            errors.append(RowError(start, f"it has {len(values)} values but the header names "
                                          f"{len(keys)} columns (a comma inside a value "
                                          "needs quotes)."))
            continue
        record = {k: (values[i].strip() if i < len(values) else "")
                  for i, k in enumerate(keys) if k in COLUMNS}
        rows.append((start, record))
    if not rows and not errors:
        errors.append(RowError(None, "The file has a header but no people."))
    return rows, "job_title" in keys, errors


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def plan_import(session: Session, text: str, school_ids: set[int] | None,
                deactivate_leavers: bool, importer_id: int | None = None) -> ImportPlan:
    """Validate every row against the database and work out what importing would do.

    `school_ids` are the schools the importer may change (None: all). Leavers are the
    active people of the schools named in the file who are not in it; people holding the HR
    or administrator role, and the importer, are never leavers.
    """
    plan = ImportPlan()
    raw_rows, has_job_title, plan.errors = read_rows(text)
    schools = {s.name.casefold(): s for s in session.scalars(select(School))}
    seen: dict[str, int] = {}
    valid: list[ImportRow] = []
    for line, record in raw_rows:
        problems: list[str] = []
        name = email = None
        roles: set[Role] = set()
        job_title = None
        try:
            name = clean_name(record.get("name", ""))
        except PersonError as exc:
            problems.append(str(exc))
        try:
            if not record.get("email"):
                raise PersonError("An email address is required.")
            email = normalise_email(record["email"])
        except PersonError as exc:
            problems.append(str(exc))
        try:
            values = split_roles(record.get("roles", ""))
            known = {r.value for r in Role}
            for value in values:
                if value.strip().lower() not in known:
                    raise PersonError(f"'{value.strip()}' is not a role (use staff, governor "
                                      "or leader).")
            roles = parse_roles(values)
            refused = roles - IMPORTABLE_ROLES
            if refused:
                problems.append(
                    "The roles " + ", ".join(sorted(r.value for r in refused)) + " cannot be "
                    "given by import; only staff, governor and leader can.")
        except PersonError as exc:
            problems.append(str(exc))
        try:
            job_title = clean_job_title(record.get("job_title"))
        except PersonError as exc:
            problems.append(str(exc))
        school_name = record.get("school", "")
        school = schools.get(school_name.strip().casefold())
        if not school_name:
            problems.append("A school is required.")
        elif school is None:
            problems.append(str(unknown_school(school_name)))
        elif school_ids is not None and school.id not in school_ids:
            problems.append(f"'{school.name}' is not a school you manage.")
        if email is not None:
            if email in seen:
                problems.append(f"{email} is also on line {seen[email]}.")
            else:
                seen[email] = line
        if problems:
            plan.errors.extend(RowError(line, p) for p in problems)
            continue
        valid.append(ImportRow(line, name, email, school.id, school.name, frozenset(roles),
                               job_title))
    plan.schools = sorted({r.school_name for r in valid})

    existing: dict[str, Person] = {}
    emails = [r.email for r in valid]
    for chunk in _chunks(emails):
        for person in session.scalars(select(Person).where(Person.email.in_(chunk))):
            existing[person.email] = person
    school_names = {s.id: s.name for s in schools.values()}
    for row in valid:
        person = existing.get(row.email)
        if person is None:
            plan.adds.append(row)
            continue
        if school_ids is not None and person.school_id not in school_ids:
            plan.errors.append(RowError(row.line, f"{row.email} belongs to "
                                                  f"{school_names[person.school_id]}, which is "
                                                  "not a school you manage."))
            continue
        what: list[str] = []
        if not person.active:
            what.append("Reactivated (had been deactivated)")
        if person.name != row.name:
            what.append(f"Name: {person.name} → {row.name}")
        if person.school_id != row.school_id:
            what.append(f"School: {school_names[person.school_id]} → {row.school_name}")
        training_roles = person.roles & IMPORTABLE_ROLES
        if training_roles != row.roles:
            what.append("Roles: " + _roles_text(training_roles) + " → " + _roles_text(row.roles))
        if has_job_title and person.job_title != row.job_title:
            what.append(f"Job title: {person.job_title or '(none)'} → "
                        f"{row.job_title or '(none)'}")
        if what:
            plan.changes.append(Change(person.id, row, tuple(what)))
        else:
            plan.unchanged += 1
    if deactivate_leavers and valid:
        in_file = set(emails)
        file_school_ids = {r.school_id for r in valid}
        candidates = session.scalars(
            select(Person).where(Person.school_id.in_(file_school_ids),
                                 Person.active.is_(True)).order_by(Person.name))
        for person in candidates:
            if (person.email in in_file or person.id == importer_id
                    or person.has_role(Role.HR, Role.ADMIN)):
                continue
            plan.leavers.append(Leaver(person.id, person.name, person.email,
                                       school_names[person.school_id],
                                       frozenset(person.roles)))
        plan.active_by_school = {
            school_names[school_id]: n for school_id, n in session.execute(
                select(Person.school_id, func.count()).where(
                    Person.school_id.in_(file_school_ids), Person.active.is_(True))
                .group_by(Person.school_id))}
    plan.errors.sort(key=lambda e: e.line or 0)
    if not plan.ok:
        plan.adds, plan.changes, plan.leavers, plan.unchanged = [], [], [], 0
    return plan


def _roles_text(roles: Iterable[Role]) -> str:
    return "; ".join(sorted(r.value for r in roles)) or "(none)"


class PlanNotValid(ValueError):
    pass


def apply_import(session: Session, plan: ImportPlan) -> list[Person]:
    """Write the plan: add, change, deactivate. Returns the people added (to invite)."""
    if not plan.ok:
        raise PlanNotValid("An import with errors cannot be applied.")
    ids = [c.person_id for c in plan.changes] + [leaver.person_id for leaver in plan.leavers]
    people: dict[int, Person] = {}
    for chunk in _chunks(ids):
        people.update((p.id, p) for p in session.scalars(
            select(Person).where(Person.id.in_(chunk))))
    for change in plan.changes:
        person, row = people[change.person_id], change.row
        person.active = True
        person.name = row.name
        person.school_id = row.school_id
        person.set_roles(set(row.roles) | (person.roles - IMPORTABLE_ROLES))
        if any(w.startswith("Job title:") for w in change.what):
            person.job_title = row.job_title
    for leaver in plan.leavers:
        person = people[leaver.person_id]
        person.active = False
        person.end_all_sessions()
    added = []
    for row in plan.adds:
        person = Person(name=row.name, email=row.email, school_id=row.school_id,
                        job_title=row.job_title)
        person.set_roles(set(row.roles))
        session.add(person)
        added.append(person)
    session.flush()
    return added
