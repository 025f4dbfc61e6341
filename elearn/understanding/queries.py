"""Reading the anonymous totals: two aggregate queries, whatever the number of people.

Both are narrowed to the schools a viewer may see (None: the whole Trust). No Flask here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.models import QuestionTally as T


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """First-attempt answers to a question that gave the same response, in one version."""

    cycle_id: int
    unit_id: str
    question_id: str
    fingerprint: str
    response: str  # JSON text, as stored
    mark: int
    answers: int
    score_sum: int
    score_sq_sum: int


@dataclass(frozen=True, slots=True)
class GroupRow:
    """First-attempt answers to a question, and how many were right, in one school
    (`school_id`, roles all False) or by people with one combination of roles (`school_id`
    None)."""

    cycle_id: int
    unit_id: str
    question_id: str
    school_id: int | None
    staff: bool
    leader: bool
    governor: bool
    answers: int
    right: int


def _scoped(query, cycle_ids: Collection[int], school_ids: set[int] | None):
    query = query.where(T.cycle_id.in_(list(cycle_ids)))
    return query if school_ids is None else query.where(T.school_id.in_(school_ids))


def responses(session: Session, cycle_ids: Collection[int],
              school_ids: set[int] | None) -> list[ResponseRow]:
    """Per question, version and response: how many answered so, with the score sums."""
    keys = (T.cycle_id, T.unit_id, T.question_id, T.content_fingerprint, T.response, T.mark)
    query = _scoped(select(*keys, func.sum(T.answers), func.sum(T.score_sum),
                           func.sum(T.score_sq_sum)), cycle_ids, school_ids).group_by(*keys)
    return [ResponseRow(*row) for row in session.execute(query).all()]


def groups(session: Session, cycle_ids: Collection[int],
           school_ids: set[int] | None) -> list[GroupRow]:
    """Per question: answers and right answers per school, then per combination of roles
    (two queries; the Trust's and each track's figures add up the second)."""
    question = (T.cycle_id, T.unit_id, T.question_id)
    totals = (func.sum(T.answers), func.sum(T.answers * T.mark))
    by_school = _scoped(select(*question, T.school_id, *totals), cycle_ids,
                        school_ids).group_by(*question, T.school_id)
    roles = (T.role_staff, T.role_leader, T.role_governor)
    by_roles = _scoped(select(*question, *roles, *totals), cycle_ids,
                       school_ids).group_by(*question, *roles)
    found = [GroupRow(c, u, q, s, False, False, False, n, r)
             for c, u, q, s, n, r in session.execute(by_school).all()]
    found += [GroupRow(c, u, q, None, bool(st), bool(le), bool(go), n, r)
              for c, u, q, st, le, go, n, r in session.execute(by_roles).all()]
    return found
