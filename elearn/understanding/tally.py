"""Adding submitted first attempts to the anonymous totals (elearn.models.understanding).

A refresh claims the first attempts submitted since the last one, under a batch token of
its own, then adds exactly the attempts it claimed: two refreshes at once never count an
attempt twice (the claim is the primary key of `tallied_attempt`). Three statements,
whatever the number of people or of new attempts. No Flask here.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Integer, String, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from elearn.models import (
    Answer,
    Attempt,
    AttemptResult,
    Person,
    PersonRole,
    QuestionTally,
    Role,
    TalliedAttempt,
    insert_for,
)

GROUP = ("cycle_id", "unit_id", "question_id", "content_fingerprint", "school_id",
         "role_staff", "role_leader", "role_governor", "response", "mark")
TOTALS = ("answers", "score_sum", "score_sq_sum")


class mark_of(FunctionElement):  # noqa: N801 (a SQL function reads best in lower case)
    """The mark (1 or 0) an attempt result's `marks` JSON holds for a question id."""

    type = Integer()
    inherit_cache = True


@compiles(mark_of, "sqlite")
def _mark_sqlite(element, compiler, **kw):
    marks, key = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(json_extract({marks}, '$.\"' || {key} || '\"') AS INTEGER)"


@compiles(mark_of, "postgresql")
def _mark_postgresql(element, compiler, **kw):
    marks, key = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(({marks} ->> {key}) AS INTEGER)"


def _roles():
    """Per person, 1 or 0 for each role that has training (a subquery)."""
    def has(role: Role):
        return func.max(case((PersonRole.role == role.value, 1), else_=0))

    return (select(PersonRole.person_id, has(Role.STAFF).label("staff"),
                   has(Role.LEADER).label("leader"), has(Role.GOVERNOR).label("governor"))
            .group_by(PersonRole.person_id).subquery())


def _claim(session: Session, batch: str, limit: int | None) -> int:
    """Mark the submitted first attempts not yet counted (at most `limit`, oldest first) as
    this batch's; return how many."""
    new = (select(AttemptResult.attempt_id, literal(batch, String()))
           .join(Attempt, Attempt.id == AttemptResult.attempt_id)
           .where(Attempt.number == 1,
                  ~select(TalliedAttempt.attempt_id)
                  .where(TalliedAttempt.attempt_id == AttemptResult.attempt_id).exists()))
    if limit is not None:
        new = new.order_by(AttemptResult.attempt_id).limit(limit)
    # Two refreshes at once may pick the same attempts: the second one skips them.
    session.execute(insert_for(session)(TalliedAttempt)
                    .from_select(["attempt_id", "batch"], new).on_conflict_do_nothing())
    # Counted, not the driver's rowcount: psycopg gives -1 for INSERT ... SELECT.
    return session.scalar(select(func.count()).select_from(TalliedAttempt)
                          .where(TalliedAttempt.batch == batch)) or 0


def _add(session: Session, batch: str) -> None:
    """Add the batch's answers to the totals, one row per group (an upsert)."""
    roles = _roles()
    score = AttemptResult.score
    grouped = (Attempt.cycle_id, Attempt.unit_id, Answer.question_id,
               Attempt.content_fingerprint, Person.school_id, roles.c.staff, roles.c.leader,
               roles.c.governor, cast(Answer.response, String()),
               mark_of(AttemptResult.marks, Answer.question_id))
    totals = (
        select(*grouped, func.count(), func.sum(score), func.sum(score * score))
        .select_from(TalliedAttempt)
        .join(Attempt, Attempt.id == TalliedAttempt.attempt_id)
        .join(AttemptResult, AttemptResult.attempt_id == Attempt.id)
        .join(Answer, Answer.attempt_id == Attempt.id)
        .join(Person, Person.id == Attempt.person_id)
        .join(roles, roles.c.person_id == Person.id)
        # A WHERE clause also keeps SQLite from reading the upsert's ON as a join's.
        .where(TalliedAttempt.batch == batch)
        .group_by(*grouped))
    statement = insert_for(session)(QuestionTally).from_select([*GROUP, *TOTALS], totals)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(GROUP),
        set_={c: getattr(QuestionTally, c) + getattr(excluded, c) for c in TOTALS})
    session.execute(statement)


def refresh_tallies(session: Session, limit: int | None = None) -> int:
    """Count the first attempts submitted since the last refresh, at most `limit` of them
    (a page view after years of history must not hold the database for long: the rest are
    counted by the next views, or at once by `flask content stats`). Returns how many were
    counted; the caller commits."""
    batch = secrets.token_hex(16)
    claimed = _claim(session, batch, limit)
    if claimed:
        _add(session, batch)
    return claimed
