"""Choosing what to retrain when a review opens a new cycle, and what each choice makes due,
school by school. No Flask here.

HR chooses per review: retrain everyone on every unit, or only on what changed, in which
case a unit a person passed in the cycle before carries over unless it cites a changed or
added clause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.content.model import Content, Policy
from elearn.content.versions import PolicyDiff, diff_policies, units_to_retrain
from elearn.cycles.rules import current_cycle
from elearn.models import Person, PersonRole, ReviewCycle, School
from elearn.quiz.passes import passes_in_cycle


class Retraining(StrEnum):
    ALL = "all"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        return RETRAINING_LABELS[self]


RETRAINING_LABELS = {
    Retraining.ALL: "Everyone retrains on every unit",
    Retraining.CHANGED: "Retrain only on what changed",
}


def unit_carries_over(unit_id: str, passed_before: bool, retrain_units: frozenset[str] | None
                      ) -> bool:
    """Under targeted retraining a unit passed in the cycle before stays passed unless it
    is one to retrain; under full retraining (`retrain_units` None) nothing carries over."""
    return retrain_units is not None and passed_before and unit_id not in retrain_units


@dataclass
class SchoolPlan:
    """What a review would make due in one school."""

    school_id: int
    school_name: str
    people: int = 0
    people_due: int = 0
    units_due: dict[str, int] = field(default_factory=dict)  # unit id -> people
    carried_over: int = 0  # units, over all people

    @property
    def units_to_take(self) -> int:
        """Units to take, over all people (a unit due for three people counts three)."""
        return sum(self.units_due.values())


@dataclass
class RetrainingPlan:
    retraining: Retraining
    old_version: str | None
    new_version: str
    diff: PolicyDiff | None
    retrain_units: frozenset[str] | None  # None: every unit
    schools: list[SchoolPlan]
    # (person id, unit id, attempt id) of each pass that would carry over
    carry: list[tuple[int, str, int]]

    @property
    def people_due(self) -> int:
        return sum(s.people_due for s in self.schools)

    @property
    def units_to_take(self) -> int:
        return sum(s.units_to_take for s in self.schools)

    def units_by_school(self, content: Content) -> list[tuple[str, list[int]]]:
        """Each unit due somewhere, in the tracks' order: its title and, per school (in the
        order of `schools`), how many people it becomes due for."""
        due = {uid for school in self.schools for uid in school.units_due}
        in_order = dict.fromkeys(uid for t in content.tracks for uid in t.unit_ids)
        return [(content.units[uid].title, [s.units_due.get(uid, 0) for s in self.schools])
                for uid in in_order if uid in due]


def _passes(session: Session, cycle_id: int) -> dict[int, dict[str, int]]:
    """Per person, the units passed in a cycle (by attempt or carried over) -> attempt id."""
    passed: dict[int, dict[str, int]] = defaultdict(dict)
    passes = passes_in_cycle(cycle_id).subquery()
    for pid, uid, aid in session.execute(
            select(passes.c.person_id, passes.c.unit_id, passes.c.attempt_id)
            .order_by(passes.c.attempt_id)):
        passed[pid].setdefault(uid, aid)
    return passed


@dataclass(frozen=True)
class _Trust:
    """What a plan is made from, read once: the versions, the passes of the cycle being
    replaced, and each active person's school and roles."""

    latest: ReviewCycle | None
    old: Policy | None
    new: Policy
    diff: PolicyDiff | None
    passes: dict[int, dict[str, int]]
    people: dict[int, tuple[int, str, set[str]]]


def _read_trust(session: Session, content: Content, version: str | None,
                school_ids: Iterable[int] | None, with_passes: bool) -> _Trust:
    """`with_passes`: read the replaced cycle's passes (every attempt passed in it), which
    only retraining on what changed uses."""
    latest = current_cycle(session)
    new = content.policy_version((version or "").strip() or content.policy.version)
    old = content.policy_version(latest.policy_version) \
        if latest is not None and latest.policy_version in content.versions else None
    query = (select(Person.id, Person.school_id, School.name, PersonRole.role)
             .join(School, School.id == Person.school_id)
             .join(PersonRole, PersonRole.person_id == Person.id)
             .where(Person.active.is_(True))
             .order_by(School.is_central, School.name, Person.id))
    if school_ids is not None:
        query = query.where(Person.school_id.in_(list(school_ids)))
    people: dict[int, tuple[int, str, set[str]]] = {}
    for pid, sid, school_name, role in session.execute(query):
        people.setdefault(pid, (sid, school_name, set()))[2].add(role)
    return _Trust(latest, old, new, diff_policies(old, new, content) if old else None,
                  _passes(session, latest.id) if with_passes and latest is not None else {},
                  people)


def _plan(content: Content, trust: _Trust, retraining: Retraining) -> RetrainingPlan:
    retrain_units = None
    if retraining is Retraining.CHANGED and trust.latest is not None:
        # With no readable old version, everything counts as changed.
        retrain_units = units_to_retrain(content, trust.diff) if trust.diff is not None \
            else frozenset(content.units)
    schools: dict[int, SchoolPlan] = {}
    carry: list[tuple[int, str, int]] = []
    for pid, (sid, school_name, roles) in trust.people.items():
        unit_ids = {uid for t in content.tracks_for_roles(roles) for uid in t.unit_ids}
        if not unit_ids:
            continue  # HR and administrators have no training to do
        plan = schools.setdefault(sid, SchoolPlan(sid, school_name))
        plan.people += 1
        mine = trust.passes.get(pid, {})
        due = False
        for uid in sorted(unit_ids):
            if unit_carries_over(uid, uid in mine, retrain_units):
                carry.append((pid, uid, mine[uid]))
                plan.carried_over += 1
            else:
                plan.units_due[uid] = plan.units_due.get(uid, 0) + 1
                due = True
        plan.people_due += due
    return RetrainingPlan(retraining, trust.old.version if trust.old else None,
                          trust.new.version, trust.diff, retrain_units, list(schools.values()),
                          carry)


def plan_retraining(session: Session, content: Content, version: str | None,
                    retraining: Retraining, school_ids: Iterable[int] | None = None
                    ) -> RetrainingPlan:
    """What recording a review of `version` with this choice would make due, per school.
    Reads only: nothing changes until the review is recorded."""
    trust = _read_trust(session, content, version, school_ids,
                        with_passes=retraining is Retraining.CHANGED)
    return _plan(content, trust, retraining)


def plan_each_choice(session: Session, content: Content, version: str | None
                     ) -> dict[Retraining, RetrainingPlan]:
    """The plan under each retraining choice, from one reading of the trust, so HR can
    compare them. Reads only."""
    trust = _read_trust(session, content, version, None, with_passes=True)
    return {choice: _plan(content, trust, choice) for choice in Retraining}
