"""Who has completed which track in a review cycle: set-based queries and pure rules.

A fixed number of queries answers for any number of people: school names, people with their
roles, their attempts aggregated per person, and their completions with certificates. No
Flask here.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from typing import TypeVar

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from elearn.content.model import Content, Track
from elearn.cycles.rules import deadline_passed
from elearn.models import (
    Attempt,
    AttemptResult,
    Certificate,
    Completion,
    Person,
    PersonRole,
    PolicyAcknowledgement,
    ReviewCycle,
    School,
)
from elearn.quiz.passes import carried_over_passes, passes_in_cycle


class TrackState(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"

    @property
    def key(self) -> str:
        return self.name.lower()


# The order in which states sort: the people needing action first.
STATE_ORDER = {TrackState.NOT_STARTED: 0, TrackState.IN_PROGRESS: 1, TrackState.COMPLETE: 2}



def track_state(completed: bool, started: bool) -> TrackState:
    """Complete when the track's completion is recorded in the cycle; in progress when any
    unit of the track has been attempted in the cycle; otherwise not started."""
    if completed:
        return TrackState.COMPLETE
    return TrackState.IN_PROGRESS if started else TrackState.NOT_STARTED


def overall_state(states: Iterable[TrackState]) -> TrackState:
    """A person is complete when every track is; not started when no track is begun."""
    states = list(states)
    if states and all(s is TrackState.COMPLETE for s in states):
        return TrackState.COMPLETE
    if all(s is TrackState.NOT_STARTED for s in states):
        return TrackState.NOT_STARTED
    return TrackState.IN_PROGRESS


def is_overdue(state: TrackState, today: date, review_date: date) -> bool:
    """Not complete and the review date (the last day to finish) has passed."""
    return state is not TrackState.COMPLETE and deadline_passed(review_date, today)


@dataclass(frozen=True, slots=True)
class CertificateLink:
    track_id: str
    code: str
    revoked: bool


@dataclass(slots=True)
class PersonCompletion:
    """One person's training in a cycle (read-only by convention; built in bulk)."""

    id: int
    name: str
    email: str
    school_id: int
    school_name: str
    job_title: str | None
    roles: tuple[str, ...]
    tracks: tuple[tuple[str, TrackState], ...]
    status: TrackState
    overdue: bool
    last_activity: datetime | None
    best_percent: int | None
    certificates: tuple[CertificateLink, ...]
    # When they confirmed they have read and understood the cycle's policy version.
    acknowledged_at: datetime | None = None
    carried_over: int = 0  # units passed in the cycle before that count in this one
    units_passed: int = 0  # in this cycle, by an attempt or carried over
    units_due: int = 0  # the units of all their tracks

    @property
    def share_passed(self) -> float:
        return self.units_passed / self.units_due if self.units_due else 0.0

    @property
    def track_ids(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.tracks)

    @property
    def status_text(self) -> str:
        return "overdue" if self.overdue else str(self.status)


F = TypeVar("F", bound=Callable)


def without_cyclic_gc(fn: F) -> F:
    """Run `fn` with Python's cyclic garbage collector paused.

    Building tens of thousands of small rows triggers collection after collection, each
    walking the whole heap: half the time of the dashboard at 20,000 people. Memory is still
    freed by reference counting; the collector resumes afterwards.
    """
    @wraps(fn)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper  # type: ignore[return-value]


class _Reader:
    """The set-based queries behind `completion`, each narrowed to the same people."""

    def __init__(self, session: Session, cycle: ReviewCycle, tracks: tuple[Track, ...],
                 school_ids: set[int] | None, person_ids: Collection[int] | None):
        # Core-level execution: plain rows, none of the ORM's per-row bookkeeping.
        self.conn = session.connection()
        self.cycle, self.tracks = cycle, tracks
        self.school_ids, self.person_ids = school_ids, person_ids
        self._started_sets: dict[tuple, frozenset[str]] = {}

    def scoped(self, query, person_id_column):
        if self.person_ids is not None:
            query = query.where(person_id_column.in_(list(self.person_ids)))
        if self.school_ids is None:
            return query
        return query.where(person_id_column.in_(
            select(Person.id).where(Person.school_id.in_(self.school_ids))))

    def begun(self, unit_id_column) -> list:
        """Per track, 1 when any of its units is among the person's rows, else 0."""
        return [func.max(case((unit_id_column.in_(t.unit_ids), 1), else_=0))
                for t in self.tracks]

    def started_tracks(self, flags: tuple) -> frozenset[str]:
        started = self._started_sets.get(flags)
        if started is None:
            started = self._started_sets[flags] = frozenset(
                t.id for t, flag in zip(self.tracks, flags, strict=True) if flag)
        return started

    def people(self, counts_only: bool) -> dict[int, list]:
        """Active people with their roles: id -> [name, email, job title, school, roles]."""
        details = (null(), null(), null()) if counts_only else (
            Person.name, Person.email, Person.job_title)
        query = (select(Person.id, *details, Person.school_id, PersonRole.role)
                 .join(PersonRole, PersonRole.person_id == Person.id)
                 .where(Person.active.is_(True)))
        if self.school_ids is not None:
            query = query.where(Person.school_id.in_(self.school_ids))
        if self.person_ids is not None:
            query = query.where(Person.id.in_(list(self.person_ids)))
        people: dict[int, list] = {}
        for pid, name, email, job, school_id, role in self.conn.execute(query).all():
            entry = people.get(pid)
            if entry is None:
                people[pid] = [name, email, job, school_id, [role]]
            else:
                entry[4].append(role)
        return people

    def activity(self, counts_only: bool) -> dict[int, tuple]:
        """Per person: latest activity, best score and the tracks begun in the cycle."""
        started = self.begun(Attempt.unit_id)
        if counts_only:
            query = select(Attempt.person_id, null(), null(), *started)
        else:
            query = (select(Attempt.person_id, func.max(Attempt.last_activity_at),
                            func.max(AttemptResult.percent), *started)
                     .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id))
        query = self.scoped(query.where(Attempt.cycle_id == self.cycle.id)
                            .group_by(Attempt.person_id), Attempt.person_id)
        return {row[0]: (row[1], row[2], self.started_tracks(tuple(row[3:])))
                for row in self.conn.execute(query).all()}

    def passes(self, activity: dict[int, tuple], counts_only: bool
               ) -> dict[int, tuple[int, int]]:
        """Per person: units passed in the cycle and how many of them carried over. A
        carried-over unit marks its track begun (`activity` is updated). With
        `counts_only` only the carried-over passes are read, for that mark (a passed
        attempt is an attempt, already in `activity`), and no counts are returned:
        aggregating every passed attempt was a third of the dashboard's time."""
        passes = (carried_over_passes if counts_only else passes_in_cycle)(
            self.cycle.id).subquery()
        query = self.scoped(
            select(passes.c.person_id, func.count(), func.sum(passes.c.carried),
                   *self.begun(passes.c.unit_id)).group_by(passes.c.person_id),
            passes.c.person_id)
        found = {}
        for row in self.conn.execute(query).all():
            last, best, started = activity.get(row[0], (None, None, frozenset()))
            activity[row[0]] = (last, best, started | self.started_tracks(tuple(row[3:])))
            if not counts_only:
                found[row[0]] = (row[1], row[2] or 0)
        return found

    def acknowledged(self) -> dict[int, datetime]:
        return dict(self.conn.execute(self.scoped(
            select(PolicyAcknowledgement.person_id, PolicyAcknowledgement.acknowledged_at)
            .where(PolicyAcknowledgement.cycle_id == self.cycle.id),
            PolicyAcknowledgement.person_id)).all())

    def completions(self, counts_only: bool
                    ) -> tuple[dict[int, frozenset[str]], dict[int, list[CertificateLink]]]:
        """Per person: the tracks completed in the cycle, and their certificates (none read
        with `counts_only`)."""
        query = select(Completion.person_id, Completion.track_id)
        if counts_only:
            query = query.add_columns(null(), null())
        else:
            query = query.add_columns(Certificate.code, Certificate.revoked_at).outerjoin(
                Certificate, (Certificate.person_id == Completion.person_id)
                & (Certificate.cycle_id == Completion.cycle_id)
                & (Certificate.track_id == Completion.track_id))
        query = self.scoped(query.where(Completion.cycle_id == self.cycle.id),
                            Completion.person_id)
        completed: dict[int, set[str]] = defaultdict(set)
        certificates: dict[int, list[CertificateLink]] = defaultdict(list)
        for pid, track_id, code, revoked_at in self.conn.execute(query).all():
            completed[pid].add(track_id)
            if code is not None:
                certificates[pid].append(CertificateLink(track_id, code, revoked_at is not None))
        return {pid: frozenset(ids) for pid, ids in completed.items()}, certificates


def _verdict(content: Content, roles: list[str], done: frozenset[str],
             started: frozenset[str]) -> tuple:
    """(state per track, overall state, sorted roles, units due) for one combination."""
    mine = content.tracks_for_roles(roles)
    states = tuple((t.id, track_state(t.id in done, t.id in started)) for t in mine)
    return (states, overall_state(s for _, s in states), tuple(sorted(roles)),
            len({u for t in mine for u in t.unit_ids}))


def _roles_key(roles: list[str]) -> str | tuple[str, ...]:
    """A person's roles as a key for deciding once per combination: most have one."""
    return roles[0] if len(roles) == 1 else tuple(sorted(roles))


@dataclass(frozen=True, slots=True)
class Group:
    """People of one school in the same state, track by track: the dashboard counts them
    together."""

    school_id: int
    tracks: tuple[tuple[str, TrackState], ...]
    status: TrackState
    overdue: bool
    acknowledged: bool
    people: int


def _read(reader: _Reader, counts_only: bool) -> tuple:
    """The five set-based reads (all but the school names) behind `completion` and
    `completion_groups`."""
    people = reader.people(counts_only)
    activity = reader.activity(counts_only)
    passed = reader.passes(activity, counts_only)
    return (people, activity, passed, reader.acknowledged(),
            reader.completions(counts_only))


@without_cyclic_gc
def completion(session: Session, content: Content, cycle: ReviewCycle, today: date,
               school_ids: set[int] | None,
               person_ids: Collection[int] | None = None) -> list[PersonCompletion]:
    """Every active person in the schools given (None: all) who has training to do, with
    their state per track in the cycle. Six queries (school names, people, attempts,
    passes, acknowledgements, completions), whatever the number of people; `person_ids`
    narrows them to a few people."""
    reader = _Reader(session, cycle, content.tracks, school_ids, person_ids)
    school_names = dict(reader.conn.execute(select(School.id, School.name)).all())
    people, activity, passed, acknowledged, (done_sets, certificates) = _read(reader, False)
    # Few distinct combinations of roles, completions and tracks begun: decide each once.
    decided: dict[tuple, tuple] = {}
    nothing: frozenset[str] = frozenset()
    no_activity = (None, None, nothing)
    rows: list[PersonCompletion] = []
    for pid, (name, email, job, school_id, roles) in people.items():
        done = done_sets.get(pid, nothing)
        last, best, started = activity.get(pid, no_activity)
        key = (_roles_key(roles), done, started)
        verdict = decided.get(key)
        if verdict is None:
            verdict = decided[key] = _verdict(content, roles, done, started)
        states, status, sorted_roles, due = verdict
        if not states:
            continue  # HR officers and administrators have no training to do
        units_passed, carried = passed.get(pid, (0, 0))
        rows.append(PersonCompletion(
            pid, name, email, school_id, school_names[school_id], job, sorted_roles, states,
            status, is_overdue(status, today, cycle.review_date), last, best,
            tuple(certificates[pid]) if pid in certificates else (), acknowledged.get(pid),
            carried, units_passed, due))
    return rows


@without_cyclic_gc
def completion_groups(session: Session, content: Content, cycle: ReviewCycle, today: date,
                      school_ids: set[int] | None) -> list[Group]:
    """`completion`'s people counted by school and state, for the dashboard: the same
    rules, decided once per group rather than once per person, and no names, scores or
    units passed read (building a row per person was most of the dashboard's time)."""
    reader = _Reader(session, cycle, content.tracks, school_ids, None)
    people, activity, _, acknowledged, (done_sets, _) = _read(reader, True)
    nothing: frozenset[str] = frozenset()
    no_activity = (None, None, nothing)
    counted: Counter[tuple] = Counter(
        (school_id, _roles_key(roles),
         done_sets.get(pid, nothing), activity.get(pid, no_activity)[2],
         pid in acknowledged)
        for pid, (_, _, _, school_id, roles) in people.items())
    # Different roles, completions or tracks begun can come to the same states: one group.
    groups: Counter[tuple] = Counter()
    for (school_id, roles, done, started, acknowledged_it), n in counted.items():
        states, status, _, _ = _verdict(content, [roles] if isinstance(roles, str) else
                                        list(roles), done, started)
        if states:  # HR officers and administrators have no training to do
            groups[(school_id, states, status, is_overdue(status, today, cycle.review_date),
                    acknowledged_it)] += n
    return [Group(*key, people=n) for key, n in groups.items()]
