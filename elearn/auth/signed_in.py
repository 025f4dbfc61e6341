"""The signed-in person as a statement reads them, for the session's loader and for a page
that reads them in its own statement: their columns first, the cycle in force last (nearly
every page needs it: read with the person, a round trip less)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, select

from elearn.cycles.rules import IN_FORCE_COLUMNS, with_cycle_in_force
from elearn.models import Person, PersonRole, Role, School, SchoolSummary, SignedInPerson

_person, _school, _role = Person.__table__, School.__table__, PersonRole.__table__
# The tables the statement reads the person and their roles from, as it names them: what a
# page's own columns and joins refer to (another name for the same table would be a second
# copy of it in the statement, joined to nothing).
SIGNED_IN_PERSON, SIGNED_IN_ROLE = _person, _role
# In the order `person_from_rows` reads them. One row per role (roles joined, not a second
# SELECT).
_SIGNED_IN_PERSON_COLUMNS = (_person.c.id, _person.c.name, _person.c.email,
                            _person.c.school_id, _school.c.name, _school.c.is_central,
                            _role.c.role)
_SIGNED_IN_PERSON_WHERE = (_person.c.session_token == bindparam("session_token"),
                          _person.c.active.is_(True))


def signed_in_person_select(*columns: ColumnElement,
                            joined: Callable[[FromClause], FromClause] = lambda tables: tables
                            ) -> Select:
    """A statement reading the person whose session token is bound as `session_token`
    (if active), `columns` from the tables `joined` adds to theirs, and the cycle in force;
    no rows if the token is no one's."""
    tables = (_person.join(_school, _school.c.id == _person.c.school_id)
              .outerjoin(_role, _role.c.person_id == _person.c.id))
    return (select(*_SIGNED_IN_PERSON_COLUMNS, *columns, *IN_FORCE_COLUMNS)
            .select_from(with_cycle_in_force(joined(tables)))
            .where(*_SIGNED_IN_PERSON_WHERE))


def person_from_rows(rows: Sequence[Sequence], session_token: str) -> SignedInPerson | None:
    """The person in a signed_in_person_select()'s rows (one per role, or per role and
    whatever else it joined); None if there are none."""
    if not rows:
        return None
    person_id, name, email, school_id, school_name, is_central = rows[0][:6]
    return SignedInPerson(
        id=person_id, name=name, email=email, school_id=school_id,
        school=SchoolSummary(school_id, school_name, is_central),
        roles=frozenset(Role(row[6]) for row in rows if row[6] is not None),
        session_token=session_token)
