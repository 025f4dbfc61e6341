"""Saving an answer: the statements that keep it while its attempt is open."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, func, literal_column, select, true, update
from sqlalchemy.orm import Session

from elearn.hot_statements import HotStatement, stand_alone_connection
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


def _build_save_unless_submitted(_dialect_name: str, *, commit_without_waiting: bool = False):
    touched = (_TOUCH_OPEN_ATTEMPT.statement_for("postgresql").returning(_ATTEMPT.c.id)
               .cte("open_attempt"))
    values = _answer_values()
    chosen = select(touched.c.id, values["question_id"], values["response"],
                    values["answered_at"])
    if commit_without_waiting:
        # SET LOCAL synchronous_commit = off, for the statement's own transaction (it
        # stands alone), written into the statement so that it costs no round trip.
        chosen = chosen.where(func.set_config(literal_column("'synchronous_commit'"),
                                              literal_column("'off'"), true())
                              == literal_column("'off'"))
    insert = INSERTS["postgresql"](_ANSWER).from_select(list(values), chosen)
    return _replacing_earlier_answer(insert).add_cte(touched)


# _TOUCH_OPEN_ATTEMPT and _ANSWER_UPSERT as one statement, for PostgreSQL, where each
# statement is a round trip and a save in a transaction was six of them. Atomic on its own:
# an UPDATE that waits for a submit holding the row reads the row again as the submit left
# it, submitted_at and all, and then touches nothing and inserts nothing.
_SAVE_UNLESS_SUBMITTED = HotStatement(build=_build_save_unless_submitted)

# The same, committed without waiting for the disk: for a save that is its own transaction.
# Every answer's commit waited for PostgreSQL's WAL to reach the disk (about 0.1 ms here),
# and with the whole staff answering at once both workers often waited at the same time,
# the cores idle: the answer page's rate was 0.23 of /healthz, 0.31 without the wait. What a
# crash of the server can lose is the last fraction of a second of answers to attempts
# still open, which the check page would then show unanswered before a submit. Never an
# answer of a submitted attempt: the submit's commit waits, and the WAL reaches the disk
# in order, so it carries every save before it. (SQLite, at synchronous=NORMAL, commits
# every write without that wait.)
_SAVE_ALONE_UNLESS_SUBMITTED = HotStatement(
    build=functools.partial(_build_save_unless_submitted, commit_without_waiting=True))


def save_unless_submitted(session: Session, values: dict) -> bool:
    """Record the activity and keep the answer, unless the attempt has been submitted:
    whether it was kept."""
    alone = stand_alone_connection.get()
    if alone is not None and alone.dialect.name == "postgresql":
        # The view's statements stand alone: its session's too run on the view's
        # connection, each committed by itself. Past the session, which would only begin
        # and commit a transaction around a statement that is one by itself (about 40 µs).
        return _SAVE_ALONE_UNLESS_SUBMITTED.execute_alone(alone, values) == 1
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # In a transaction of other writes (a command, a test), the setting would hold for
        # them too: only a save that stands alone commits without waiting.
        alone = connection.connection.driver_connection.autocommit
        saving = _SAVE_ALONE_UNLESS_SUBMITTED if alone else _SAVE_UNLESS_SUBMITTED
        return saving.execute(session, values) == 1
    # SQLite lets one writer in at a time and has no UPDATE inside WITH: two statements.
    if _TOUCH_OPEN_ATTEMPT.execute(session, values) == 0:
        return False
    _ANSWER_UPSERT.execute(session, values)
    return True
