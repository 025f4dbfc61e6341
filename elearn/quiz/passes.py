"""The rule "passed in this cycle": a unit is passed in a review cycle when an attempt at it
in that cycle passed, or when targeted retraining carried over its pass from the cycle
before. Defined once, as a query every reader builds on. No Flask here."""

from __future__ import annotations

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

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
