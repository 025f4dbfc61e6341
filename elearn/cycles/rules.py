"""Review cycles: which one is current, which version of the policy it holds, and how long
is left. No Flask here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import FromClause, ScalarSelect, bindparam, select
from sqlalchemy.orm import Session

from elearn.content.model import Content, Policy, UnknownVersion
from elearn.content.versions import PolicyDiff, diff_policies
from elearn.hot_statements import HotStatement
from elearn.models import AnyCycle, CycleInForce, ReviewCycle
from elearn.wording import days_count


def deadline_passed(review_date: date, today: date) -> bool:
    """Training is due by the end of the review date itself: from the day after, nothing more
    counts towards the cycle (no attempt, answer, acknowledgement or certificate)."""
    return today > review_date


# Nearly every learner's page asks for the current cycle: the statements are built once
# (building one costs more than SQLite takes to run it), with bound parameters.
_LATEST_FIRST = (ReviewCycle.reviewed_on.desc(), ReviewCycle.id.desc())
_CURRENT = select(ReviewCycle).order_by(*_LATEST_FIRST).limit(1)
_BEFORE = ((ReviewCycle.reviewed_on < bindparam("reviewed_on"))
           | ((ReviewCycle.reviewed_on == bindparam("reviewed_on"))
              & (ReviewCycle.id < bindparam("cycle_id"))))
_PREVIOUS = select(ReviewCycle).where(_BEFORE).order_by(*_LATEST_FIRST).limit(1)
# Its version alone, as a plain value: read on every learner's home page.
_PREVIOUS_VERSION = HotStatement(select(ReviewCycle.policy_version).where(_BEFORE)
                                 .order_by(*_LATEST_FIRST).limit(1))


def current_cycle(session: Session) -> ReviewCycle | None:
    """The cycle opened by the latest recorded review."""
    return session.scalar(_CURRENT)


# The same cycle as _CURRENT, its columns those CycleInForce holds.
_CURRENT_VALUES = HotStatement(
    select(*(ReviewCycle.__table__.c[f.name] for f in fields(CycleInForce)))
    .order_by(*_LATEST_FIRST).limit(1))


def cycle_in_force_id() -> ScalarSelect:
    """The id of current_cycle(), as a subquery: for a statement that reads the cycle in
    force beside what it is for."""
    return select(ReviewCycle.id).order_by(*_LATEST_FIRST).limit(1).scalar_subquery()


_IN_FORCE = ReviewCycle.__table__.alias("in_force")
# CycleInForce's fields, in its order, as a statement joined to the cycle in force reads them.
IN_FORCE_COLUMNS = tuple(_IN_FORCE.c[f.name].label(f"in_force_{f.name}")
                         for f in fields(CycleInForce))


def with_cycle_in_force(tables: FromClause) -> FromClause:
    """`tables` with the cycle in force joined to every row (IN_FORCE_COLUMNS, all None
    before the first review): read beside what a statement is for, not in a query of its
    own, a round trip less."""
    return tables.outerjoin(_IN_FORCE, _IN_FORCE.c.id == cycle_in_force_id())


def cycle_in_force_from(row: Sequence) -> CycleInForce | None:
    """The cycle in force in a row that ends with IN_FORCE_COLUMNS."""
    values = row[-len(IN_FORCE_COLUMNS):]
    return CycleInForce(*values) if values[0] is not None else None


def cycle_in_force(session: Session) -> CycleInForce | None:
    """current_cycle() as plain values, for rules that only read it."""
    row = _CURRENT_VALUES.first(session, {})
    return CycleInForce(*row) if row else None


def previous_cycle(session: Session, cycle: AnyCycle) -> ReviewCycle | None:
    """The cycle the given one replaced, if any."""
    return session.scalar(_PREVIOUS, {"reviewed_on": cycle.reviewed_on, "cycle_id": cycle.id})


@dataclass(frozen=True)
class Deadline:
    review_date: date
    today: date

    @property
    def days_left(self) -> int:
        """Days until the review date; negative once it has passed."""
        return (self.review_date - self.today).days

    @property
    def overdue(self) -> bool:
        """The review date has passed without a new review: no certificates can be issued."""
        return deadline_passed(self.review_date, self.today)

    @property
    def words(self) -> str:
        if self.overdue:
            return f"{days_count(-self.days_left)} overdue"
        if self.days_left == 0:
            return "due today"
        return f"{days_count(self.days_left)} left"


def deadline(cycle: AnyCycle, today: date) -> Deadline:
    """The cycle's review date, as seen today."""
    return Deadline(cycle.review_date, today)


def policy_in_force(content: Content, cycle: AnyCycle | None) -> Policy:
    """The version the cycle's review named; the newest in modules/ if none is recorded
    (or, after a content mistake, if that version's file has gone)."""
    if cycle is not None:
        try:
            return content.policy_version(cycle.policy_version)
        except UnknownVersion:
            pass
    return content.policy


def new_version_changes(session: Session, content: Content, cycle: AnyCycle | None
                        ) -> PolicyDiff | None:
    """What changed, when the cycle's review brought a new version of the policy: what a
    learner is shown first in that cycle. None when the version is the same as before."""
    if cycle is None:
        return None
    before = _PREVIOUS_VERSION.first(session, {"reviewed_on": cycle.reviewed_on,
                                               "cycle_id": cycle.id})
    if before is None or before.policy_version == cycle.policy_version \
            or before.policy_version not in content.versions:
        return None
    return diff_policies(content.policy_version(before.policy_version),
                         policy_in_force(content, cycle))
