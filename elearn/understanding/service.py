"""Loading the understanding and question statistics for a viewer's scope: a fixed number of
queries (cycles, schools, two reads of the totals), whatever the number of people. The
caller refreshes the totals first (tally.refresh_tallies) and commits. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.content.model import Content, Policy
from elearn.cycles.rules import current_cycle, policy_in_force, previous_cycle
from elearn.models import ReviewCycle, School
from elearn.understanding import queries
from elearn.understanding.clauses import Chart, chart, understanding
from elearn.understanding.report import ClauseUnderstanding, QuestionStat, question_stats


@dataclass(frozen=True)
class Understanding:
    cycle: ReviewCycle
    previous: ReviewCycle | None
    policy: Policy
    clauses: list[ClauseUnderstanding]
    chart: Chart
    schools: dict[int, str]  # the schools with answers, in the viewer's scope


def _schools(session: Session, school_ids: set[int] | None) -> dict[int, str]:
    query = select(School.id, School.name)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    return dict(session.execute(query).all())


def load_understanding(session: Session, content: Content,
                       school_ids: set[int] | None) -> Understanding | None:
    """Understanding by clause in the current cycle and the one before (None: no cycle)."""
    cycle = current_cycle(session)
    if cycle is None:
        return None
    previous = previous_cycle(session, cycle)
    cycle_ids = (cycle.id, previous.id if previous else None)
    groups = queries.groups(session, [c for c in cycle_ids if c is not None], school_ids)
    responses = [r for r in queries.responses(session, [cycle.id], school_ids)]
    answered = {g.school_id for g in groups}
    schools = {sid: name for sid, name in _schools(session, school_ids).items()
               if sid in answered}
    policy = policy_in_force(content, cycle)
    clauses = understanding(content, policy, groups, responses, cycle_ids, schools)
    return Understanding(cycle, previous, policy, clauses, chart(clauses), schools)


def load_question_stats(session: Session, content: Content, school_ids: set[int] | None
                        ) -> tuple[ReviewCycle | None, list[QuestionStat]]:
    """Per question and unit version, the current cycle's first-attempt statistics."""
    cycle = current_cycle(session)
    if cycle is None:
        return None, []
    return cycle, question_stats(content, queries.responses(session, [cycle.id], school_ids))
