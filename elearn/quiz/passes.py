"""The rule "passed in this cycle": a unit is passed in a review cycle when an attempt at it
in that cycle passed, or when targeted retraining carried over its pass from the cycle
before. Defined once, as a query every reader builds on; and the passes carried over, as
the learner's pages read them. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from elearn.auth.signed_in import SIGNED_IN_PERSON, signed_in_person_select
from elearn.cycles.rules import cycle_in_force_id
from elearn.hot_statements import HotStatement
from elearn.models import Attempt, AttemptResult, CarriedOverPass


def passes_in_cycle(cycle_id: int) -> Select:
    """(person_id, unit_id, attempt_id, carried) for every pass counting in the cycle.

    A passed unit cannot be taken again in its cycle, nor started once carried over, so each
    (person, unit) appears once."""
    passed = (select(Attempt.person_id.label("person_id"), Attempt.unit_id.label("unit_id"),
                     Attempt.id.label("attempt_id"), literal(0).label("carried"))
              .join(AttemptResult, AttemptResult.attempt_id == Attempt.id)
              .where(Attempt.cycle_id == cycle_id, AttemptResult.passed.is_(True)))
    return select(union_all(passed, carried_over_passes(cycle_id)).subquery("passes"))


def carried_over_passes(cycle_id: int) -> Select:
    """The passes counting in the cycle that no attempt in it made: carried over from the
    cycle before by targeted retraining. Same columns as passes_in_cycle (carried = 1)."""
    return select(CarriedOverPass.person_id.label("person_id"),
                  CarriedOverPass.unit_id.label("unit_id"),
                  CarriedOverPass.attempt_id.label("attempt_id"),
                  literal(1).label("carried")).where(CarriedOverPass.cycle_id == cycle_id)


def passed_unit_ids(session: Session, person_id: int, cycle_id: int) -> set[str]:
    """The units one person has passed in the cycle."""
    passes = passes_in_cycle(cycle_id).subquery()
    return set(session.scalars(select(passes.c.unit_id).where(
        passes.c.person_id == person_id)))


@dataclass(frozen=True)
class CarriedOver:
    """A unit's pass in an earlier cycle that counts in this one, as pages show it."""

    unit_id: str
    passed_at: datetime | None  # when the passing attempt was submitted
    attempt_number: int


_PASS, _RESULT, _PASSED_IN = (CarriedOverPass.__table__, AttemptResult.__table__,
                              Attempt.__table__.alias("passed_in"))
_PERSON_IN_CYCLE = (_PASS.c.person_id == bindparam("person_id"),
                    _PASS.c.cycle_id == bindparam("cycle_id"))
# A pass carried over: its unit, when and in which attempt it was passed.
_CARRIED_OVER_COLUMNS = (_PASS.c.unit_id.label("carried_unit_id"),
                         _RESULT.c.submitted_at.label("carried_passed_at"),
                         _PASSED_IN.c.number.label("carried_number"))
_PASSES_WITH_ATTEMPTS = (_PASS.join(_PASSED_IN, _PASSED_IN.c.id == _PASS.c.attempt_id)
                         .outerjoin(_RESULT, _RESULT.c.attempt_id == _PASSED_IN.c.id))
# Read on every learner page, as plain values: the ORM's pass, with its attempt and result
# joined, cost PostgreSQL's pages more than the query.
_CARRIED_OVER = HotStatement(select(*_CARRIED_OVER_COLUMNS).select_from(_PASSES_WITH_ATTEMPTS)
                             .where(*_PERSON_IN_CYCLE))
_CARRIED_OVER_AT_UNIT = HotStatement(select(_PASS.c.id).where(
    *_PERSON_IN_CYCLE, _PASS.c.unit_id == bindparam("unit_id")))
# The same passes, into the cycle in force, read with the signed-in person: one row per
# role and pass (a row with no pass's columns if there is none).
_SIGNED_IN_AND_CARRIED_OVER = HotStatement(signed_in_person_select(
    *_CARRIED_OVER_COLUMNS,
    joined=lambda tables: tables.outerjoin(
        _PASSES_WITH_ATTEMPTS, and_(_PASS.c.person_id == SIGNED_IN_PERSON.c.id,
                                    _PASS.c.cycle_id == cycle_in_force_id()))))


def _carried_over_from(rows) -> dict[str, CarriedOver]:
    return {row.carried_unit_id: CarriedOver(row.carried_unit_id, row.carried_passed_at,
                                             row.carried_number)
            for row in rows if row.carried_unit_id is not None}


def carried_over(session: Session, person_id: int, cycle_id: int) -> dict[str, CarriedOver]:
    """Units whose pass in an earlier cycle counts in this one: when, and in which attempt,
    each was passed."""
    return _carried_over_from(
        _CARRIED_OVER.rows(session, {"person_id": person_id, "cycle_id": cycle_id}))


def pass_carried_over_at(session: Session, person_id: int, cycle_id: int,
                         unit_id: str) -> bool:
    """Whether the person's pass at the unit in the cycle before counts in this one."""
    return _CARRIED_OVER_AT_UNIT.first(session, {"person_id": person_id, "cycle_id": cycle_id,
                                                 "unit_id": unit_id}) is not None


def signed_in_and_carried_over(session: Session, session_token: str
                               ) -> tuple[list[tuple], dict[str, CarriedOver]]:
    """The signed-in person's rows (for the session's loader; none if the token is no one's)
    and the passes carried over into the cycle in force, as carried_over() gives them, in
    one statement."""
    rows = _SIGNED_IN_AND_CARRIED_OVER.rows(session, {"session_token": session_token})
    return rows, _carried_over_from(rows)
