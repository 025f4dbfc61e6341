"""An attempt as the question and check pages read it: plain values in one statement."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from elearn.cycles.rules import cycle_in_force_id
from elearn.hot_statements import HotStatement
from elearn.models import Answer, Attempt, CycleInForce, ReviewCycle

_ANSWER, _ATTEMPT = Answer.__table__, Attempt.__table__


@dataclass(frozen=True)
class AttemptOnScreen:
    """An attempt as the question and check pages show it: plain values, read in one
    statement (the ORM's attempt with its answers cost more to build than to query), with
    the cycle in force (None before the first review), which a save checks it against."""

    id: int
    person_id: int
    cycle_id: int
    unit_id: str
    question_ids: list[str]
    option_order: dict[str, list[str]]
    submitted: bool
    responses: dict[str, list[str]]
    cycle_in_force: CycleInForce | None

    def response_for(self, question_id: str) -> list[str] | None:
        return self.responses.get(question_id)


_IN_FORCE = ReviewCycle.__table__.alias("in_force")
# CycleInForce's fields, in its order, from the cycle in force joined to every row.
_IN_FORCE_COLUMNS = [_IN_FORCE.c[f.name].label(f"in_force_{f.name}")
                     for f in fields(CycleInForce)]
_ATTEMPT_ON_SCREEN = HotStatement(
    select(_ATTEMPT.c.id, _ATTEMPT.c.person_id, _ATTEMPT.c.cycle_id, _ATTEMPT.c.unit_id,
           _ATTEMPT.c.question_ids, _ATTEMPT.c.option_order,
           _ATTEMPT.c.submitted_at,
           _ANSWER.c.question_id, _ANSWER.c.response, *_IN_FORCE_COLUMNS)
    .outerjoin(_ANSWER, _ANSWER.c.attempt_id == _ATTEMPT.c.id)
    # In the same statement, not a query of its own: a round trip less for every answer.
    .outerjoin(_IN_FORCE, _IN_FORCE.c.id == cycle_in_force_id())
    .where(_ATTEMPT.c.id == bindparam("attempt_id")))


def attempt_on_screen(session: Session, attempt_id: int) -> AttemptOnScreen | None:
    """The attempt with its answers, to show; None if there is no such attempt."""
    rows = _ATTEMPT_ON_SCREEN.rows(session, {"attempt_id": attempt_id})
    if not rows:
        return None
    first = rows[0]
    in_force = first[-len(_IN_FORCE_COLUMNS):]
    return AttemptOnScreen(
        id=first.id, person_id=first.person_id, cycle_id=first.cycle_id, unit_id=first.unit_id,
        question_ids=first.question_ids, option_order=first.option_order,
        submitted=first.submitted_at is not None,
        responses={row.question_id: row.response for row in rows
                   if row.question_id is not None},
        cycle_in_force=CycleInForce(*in_force) if in_force[0] is not None else None)
