"""Saving an answer: the statements that keep it while its attempt is open."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from elearn.hot_statements import HotStatement
from elearn.models import INSERTS, Answer, Attempt

_ANSWER, _ATTEMPT = Answer.__table__, Attempt.__table__


def _answer_values():
    # Each value a named parameter: compiled once, the statement must not depend on which
    # values a call brings (an INSERT without them names every column).
    return {column: bindparam(column, type_=_ANSWER.c[column].type)
            for column in ("attempt_id", "question_id", "response", "answered_at")}


def _replacing_earlier_answer(insert):
    """The INSERT, replacing the response already given to that question if there is one."""
    return insert.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"response": insert.excluded.response,
              "answered_at": insert.excluded.answered_at})


# Built once (per database): building an upsert, with its "excluded" columns, cost more than
# running it. INSERT an answer, or replace the response already given to that question.
_ANSWER_UPSERT = HotStatement(build=lambda dialect_name: _replacing_earlier_answer(
    INSERTS[dialect_name](_ANSWER).inline().values(_answer_values())))  # no RETURNING id

# The learner's activity, recorded while the attempt is open; it holds the attempt's row
# (as SELECT … FOR UPDATE does) to the end of the transaction.
_TOUCH_OPEN_ATTEMPT = HotStatement(
    update(_ATTEMPT).where(_ATTEMPT.c.id == bindparam("attempt_id"),
                           _ATTEMPT.c.submitted_at.is_(None))
    .values(last_activity_at=bindparam("answered_at")))


def _build_save_unless_submitted(_dialect_name: str):
    touched = (_TOUCH_OPEN_ATTEMPT.statement_for("postgresql").returning(_ATTEMPT.c.id)
               .cte("open_attempt"))
    values = _answer_values()
    chosen = select(touched.c.id, values["question_id"], values["response"],
                    values["answered_at"])
    insert = INSERTS["postgresql"](_ANSWER).from_select(list(values), chosen)
    return _replacing_earlier_answer(insert).add_cte(touched)


# _TOUCH_OPEN_ATTEMPT and _ANSWER_UPSERT as one statement, for PostgreSQL, where each
# statement is a round trip and a save in a transaction was six of them. Atomic on its own:
# an UPDATE that waits for a submit holding the row reads the row again as the submit left
# it, submitted_at and all, and then touches nothing and inserts nothing.
_SAVE_UNLESS_SUBMITTED = HotStatement(build=_build_save_unless_submitted)


def save_unless_submitted(session: Session, values: dict) -> bool:
    """Record the activity and keep the answer, unless the attempt has been submitted:
    whether it was kept."""
    if session.connection().dialect.name == "postgresql":
        return _SAVE_UNLESS_SUBMITTED.execute(session, values) == 1
    # SQLite lets one writer in at a time and has no UPDATE inside WITH: two statements.
    if _TOUCH_OPEN_ATTEMPT.execute(session, values) == 0:
        return False
    _ANSWER_UPSERT.execute(session, values)
    return True
