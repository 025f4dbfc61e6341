"""An attempt as the question and check pages read it: plain values in one statement."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import FromClause, Text, bindparam, cast, select
from sqlalchemy.orm import Session

from elearn.auth.signed_in import signed_in_person_select
from elearn.cycles.rules import IN_FORCE_COLUMNS, cycle_in_force_from, with_cycle_in_force
from elearn.hot_statements import HotStatement
from elearn.models import Answer, Attempt, CycleInForce

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


# The attempt's columns on every row, one row per answer (and per role of the person, when
# read with them); labelled, so that the person's columns can come first in the same row.
# The JSON columns come as their text, decoded once each in Python: the driver would decode
# the attempt's on every row.
_ON_SCREEN_COLUMNS = (
    _ATTEMPT.c.id.label("attempt_id"), _ATTEMPT.c.person_id.label("attempt_person_id"),
    _ATTEMPT.c.cycle_id.label("attempt_cycle_id"), _ATTEMPT.c.unit_id.label("attempt_unit_id"),
    cast(_ATTEMPT.c.question_ids, Text).label("question_ids"),
    cast(_ATTEMPT.c.option_order, Text).label("option_order"), _ATTEMPT.c.submitted_at,
    _ANSWER.c.question_id.label("answered_question_id"),
    cast(_ANSWER.c.response, Text).label("response"))


def _with_answers(tables: FromClause) -> FromClause:
    return tables.outerjoin(_ANSWER, _ANSWER.c.attempt_id == _ATTEMPT.c.id)


# With the cycle in force (a save checks the attempt against it), in the same statement.
_ATTEMPT_ON_SCREEN = HotStatement(
    select(*_ON_SCREEN_COLUMNS, *IN_FORCE_COLUMNS)
    .select_from(with_cycle_in_force(_with_answers(_ATTEMPT)))
    .where(_ATTEMPT.c.id == bindparam("attempt_id")))
# The same, and the signed-in person, in one statement: on the question page and every
# answer this is the one read before the save, where the person cost a round trip more.
# One row per role and answer; no attempt's columns if there is no such attempt. Whose the
# attempt is, the page still decides (it is read whoever's it is).
_SIGNED_IN_AND_ATTEMPT_ON_SCREEN = HotStatement(signed_in_person_select(
    *_ON_SCREEN_COLUMNS,
    joined=lambda tables: _with_answers(
        tables.outerjoin(_ATTEMPT, _ATTEMPT.c.id == bindparam("attempt_id")))))


def attempt_on_screen(session: Session, attempt_id: int) -> AttemptOnScreen | None:
    """The attempt with its answers, to show; None if there is no such attempt."""
    return _attempt_from(_ATTEMPT_ON_SCREEN.rows(session, {"attempt_id": attempt_id}))


def signed_in_and_attempt_on_screen(session: Session, session_token: str, attempt_id: int
                                    ) -> tuple[list[tuple], AttemptOnScreen | None]:
    """The signed-in person's rows (for the session's loader; none if the token is no one's)
    and the attempt, as attempt_on_screen() gives it, in one statement."""
    rows = _SIGNED_IN_AND_ATTEMPT_ON_SCREEN.rows(
        session, {"session_token": session_token, "attempt_id": attempt_id})
    return rows, _attempt_from(rows)


def _attempt_from(rows: list) -> AttemptOnScreen | None:
    if not rows or rows[0].attempt_id is None:
        return None
    first = rows[0]
    responses = {row.answered_question_id: row.response for row in rows
                 if row.answered_question_id is not None}
    return AttemptOnScreen(
        id=first.attempt_id, person_id=first.attempt_person_id, cycle_id=first.attempt_cycle_id,
        unit_id=first.attempt_unit_id, question_ids=json.loads(first.question_ids),
        option_order=json.loads(first.option_order), submitted=first.submitted_at is not None,
        responses={question_id: json.loads(response)
                   for question_id, response in responses.items()},
        cycle_in_force=cycle_in_force_from(first))
