"""Who has completed which track in a review cycle: set-based queries and pure rules.

A fixed number of queries answers for any number of people: school names, people with their
roles, their attempts aggregated per person, and their completions with certificates. No
Flask here.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from typing import TypeVar

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from elearn.content.model import Content, Track
from elearn.models import (
    Attempt,
    AttemptResult,
    CarriedOverPass,
    Certificate,
    Completion,
    Person,
    PersonRole,
    PolicyAcknowledgement,
    ReviewCycle,
    School,
)


class TrackState(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"

    @property
    def key(self) -> str:
        return self.name.lower()


# The order in which states sort: the people needing action first.
STATE_ORDER = {TrackState.NOT_STARTED: 0, TrackState.IN_PROGRESS: 1, TrackState.COMPLETE: 2}

STATUS_FILTERS = {
    "incomplete": "Not complete",
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "overdue": "Overdue",
    "not_acknowledged": "Policy not acknowledged",
}
SORT_KEYS = ("name", "school", "status", "activity", "units", "score")


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
    return state is not TrackState.COMPLETE and today > review_date


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


def _scoped(query, person_id_column, school_ids: set[int] | None,
            person_ids: Collection[int] | None):
    if person_ids is not None:
        query = query.where(person_id_column.in_(list(person_ids)))
    if school_ids is None:
        return query
    return query.where(person_id_column.in_(
        select(Person.id).where(Person.school_id.in_(school_ids))))


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


@without_cyclic_gc
def completion(session: Session, content: Content, cycle: ReviewCycle, today: date,
               school_ids: set[int] | None,
               person_ids: Collection[int] | None = None,
               counts_only: bool = False) -> list[PersonCompletion]:
    """Every active person in the schools given (None: all) who has training to do, with
    their state per track in the cycle. Six queries (school names, people, attempts,
    carried-over passes, acknowledgements, completions), whatever the number of people;
    `person_ids` narrows them to a few people. With `counts_only` (enough for summaries)
    names, emails, job titles, last activity and best scores are left empty, which makes
    the queries cheaper."""
    # Core-level execution: plain rows, none of the ORM's per-row bookkeeping.
    conn = session.connection()
    school_names = dict(conn.execute(select(School.id, School.name)).all())

    # 1. People and their roles: one row per person and role.
    details = (null(), null(), null()) if counts_only else (
        Person.name, Person.email, Person.job_title)
    people_query = (
        select(Person.id, *details, Person.school_id, PersonRole.role)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.active.is_(True)))
    if school_ids is not None:
        people_query = people_query.where(Person.school_id.in_(school_ids))
    if person_ids is not None:
        people_query = people_query.where(Person.id.in_(list(person_ids)))
    people: dict[int, list] = {}
    for pid, name, email, job, school_id, role in conn.execute(people_query).all():
        entry = people.get(pid)
        if entry is None:
            people[pid] = [name, email, job, school_id, [role]]
        else:
            entry[4].append(role)

    # 2. Attempts in the cycle, aggregated per person: the latest activity, the best score,
    # and per track whether any of its units was attempted.
    tracks = content.tracks

    def begun(unit_id_column) -> list:
        """Per track, 1 when any of its units is among the person's rows, else 0."""
        return [func.max(case((unit_id_column.in_(t.unit_ids), 1), else_=0)) for t in tracks]

    started_columns = begun(Attempt.unit_id)
    if not counts_only:
        # A passed unit cannot be taken again in its cycle (start_attempt refuses), so
        # counting passing attempts counts units, without a costly COUNT(DISTINCT).
        passed_units = func.count(case((AttemptResult.passed.is_(True), 1)))
        attempts_query = (
            select(Attempt.person_id, func.max(Attempt.last_activity_at),
                   func.max(AttemptResult.percent), passed_units, *started_columns)
            .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id))
    else:
        attempts_query = select(Attempt.person_id, null(), null(), null(), *started_columns)
    attempts_query = _scoped(
        attempts_query.where(Attempt.cycle_id == cycle.id).group_by(Attempt.person_id),
        Attempt.person_id, school_ids, person_ids)
    activity: dict[int, tuple] = {}
    passed: dict[int, int] = {}
    started_sets: dict[tuple, frozenset[str]] = {}

    def started_tracks(flags: tuple) -> frozenset[str]:
        started = started_sets.get(flags)
        if started is None:
            started = started_sets[flags] = frozenset(
                t.id for t, flag in zip(tracks, flags, strict=True) if flag)
        return started

    for row in conn.execute(attempts_query).all():
        activity[row[0]] = (row[1], row[2], started_tracks(tuple(row[4:])))
        passed[row[0]] = row[3] or 0

    # 2b. Units carried over into the cycle by a targeted retraining: those tracks are begun.
    carried_query = _scoped(
        select(CarriedOverPass.person_id, func.count(), *begun(CarriedOverPass.unit_id))
        .where(CarriedOverPass.cycle_id == cycle.id)
        .group_by(CarriedOverPass.person_id), CarriedOverPass.person_id, school_ids, person_ids)
    carried: dict[int, int] = {}
    for row in conn.execute(carried_query).all():
        last, best, started = activity.get(row[0], (None, None, frozenset()))
        activity[row[0]] = (last, best, started | started_tracks(tuple(row[2:])))
        carried[row[0]] = row[1]

    # 2c. Acknowledgements of the cycle's policy version.
    acknowledged = dict(conn.execute(_scoped(
        select(PolicyAcknowledgement.person_id, PolicyAcknowledgement.acknowledged_at)
        .where(PolicyAcknowledgement.cycle_id == cycle.id), PolicyAcknowledgement.person_id,
        school_ids, person_ids)).all())

    # 3. Completions in the cycle, each with its certificate.
    completions_query = _scoped(
        select(Completion.person_id, Completion.track_id, Certificate.code,
               Certificate.revoked_at)
        .outerjoin(Certificate, (Certificate.person_id == Completion.person_id)
                   & (Certificate.cycle_id == Completion.cycle_id)
                   & (Certificate.track_id == Completion.track_id))
        .where(Completion.cycle_id == cycle.id), Completion.person_id, school_ids, person_ids)
    completed: dict[int, set[str]] = defaultdict(set)
    certificates: dict[int, list[CertificateLink]] = defaultdict(list)
    for pid, track_id, code, revoked_at in conn.execute(completions_query).all():
        completed[pid].add(track_id)
        if code is not None:
            certificates[pid].append(CertificateLink(track_id, code, revoked_at is not None))

    # Few distinct combinations of roles, completions and tracks begun: decide each once.
    done_sets = {pid: frozenset(ids) for pid, ids in completed.items()}
    decided: dict[tuple, tuple] = {}
    late = today > cycle.review_date
    nothing: frozenset[str] = frozenset()
    no_activity = (None, None, nothing)
    rows: list[PersonCompletion] = []
    for pid, (name, email, job, school_id, roles) in people.items():
        done = done_sets.get(pid, nothing)
        last, best, started = activity.get(pid, no_activity)
        key = (roles[0] if len(roles) == 1 else tuple(sorted(roles)), done, started)
        verdict = decided.get(key)
        if verdict is None:
            mine = content.tracks_for_roles(set(roles))
            states = tuple((t.id, track_state(t.id in done, t.id in started)) for t in mine)
            status = overall_state(s for _, s in states)
            due = len({u for t in mine for u in t.unit_ids})
            verdict = decided[key] = (states, status, tuple(sorted(roles)), due)
        states, status, sorted_roles, due = verdict
        if not states:
            continue  # HR officers and administrators have no training to do
        rows.append(PersonCompletion(
            pid, name, email, school_id, school_names[school_id], job, sorted_roles, states,
            status, late and status is not TrackState.COMPLETE, last, best,
            tuple(certificates[pid]) if pid in certificates else (), acknowledged.get(pid),
            carried.get(pid, 0), passed.get(pid, 0) + carried.get(pid, 0), due))
    return rows


@dataclass(frozen=True)
class PeopleFilter:
    """What the people list shows: each field None means no filter on it."""

    school_id: int | None = None
    role: str | None = None
    track: str | None = None
    status: str | None = None
    search: str | None = None

    def matches(self, row: PersonCompletion) -> bool:
        if self.school_id is not None and row.school_id != self.school_id:
            return False
        if self.role is not None and self.role not in row.roles:
            return False
        if self.track is not None and self.track not in row.track_ids:
            return False
        if self.status is not None and not _status_matches(self.status, row, self.track):
            return False
        if self.search:
            needle = self.search.casefold()
            return needle in row.name.casefold() or needle in row.email
        return True


def _status_matches(status: str, row: PersonCompletion, track: str | None) -> bool:
    state = dict(row.tracks)[track] if track is not None else row.status
    if status == "incomplete":
        return state is not TrackState.COMPLETE
    if status == "overdue":
        return row.overdue and state is not TrackState.COMPLETE
    if status == "not_acknowledged":
        return row.acknowledged_at is None
    return state.key == status


def sort_people(rows: Iterable[PersonCompletion], key: str = "name",
                descending: bool = False) -> list[PersonCompletion]:
    """Sorted by the column asked, then by name; people with no value sort last."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.id))
    if key == "school":
        return sorted(by_name, key=lambda r: r.school_name.casefold(), reverse=descending)
    if key == "status":
        return sorted(by_name, key=lambda r: (not r.overdue, STATE_ORDER[r.status]),
                      reverse=descending)
    if key == "units":
        return sorted(by_name, key=lambda r: r.share_passed, reverse=descending)
    if key in ("activity", "score"):
        attr = "last_activity" if key == "activity" else "best_percent"
        present = [r for r in by_name if getattr(r, attr) is not None]
        missing = [r for r in by_name if getattr(r, attr) is None]
        return sorted(present, key=lambda r: getattr(r, attr), reverse=descending) + missing
    return by_name[::-1] if descending else by_name


@dataclass
class Counts:
    people: int = 0
    complete: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    acknowledged: int = 0  # people who have acknowledged the cycle's policy version

    def add(self, state: TrackState, overdue: bool, n: int = 1,
            acknowledged: bool = False) -> None:
        self.people += n
        setattr(self, state.key, getattr(self, state.key) + n)
        if overdue:
            self.overdue += n
        if acknowledged:
            self.acknowledged += n

    @property
    def percent_complete(self) -> int:
        """Rounded to the nearest (2 of 12 is 17%), but never 100% while someone is still to
        finish, nor 0% once someone has."""
        if not self.people:
            return 0
        nearest = (self.complete * 200 + self.people) // (self.people * 2)  # halves round up
        if self.complete < self.people:
            nearest = min(nearest, 99)
        return max(nearest, 1) if self.complete else 0


@dataclass
class SchoolSummary:
    school_id: int
    school_name: str
    overall: Counts = field(default_factory=Counts)
    by_track: dict[str, Counts] = field(default_factory=dict)


@dataclass
class Summary:
    schools: list[SchoolSummary]
    total: SchoolSummary


def summarise(rows: Iterable[PersonCompletion], schools: Sequence[tuple[int, str]],
              tracks: Sequence[Track]) -> Summary:
    """Counts per school (in the order given) and per track, with the Trust's total.

    A person counts once overall and once in each track they must take; overdue people are
    counted among the not complete as well as on their own."""
    def blank(school_id: int, name: str) -> SchoolSummary:
        return SchoolSummary(school_id, name, Counts(), {t.id: Counts() for t in tracks})

    rows = list(rows)
    # Tally identical (school, state, overdue, acknowledged) combinations first: a handful
    # of keys.
    overall = Counter((r.school_id, r.status, r.overdue, r.acknowledged_at is not None)
                      for r in rows)
    by_track = Counter((r.school_id, track_id, state, r.overdue and state is not
                        TrackState.COMPLETE) for r in rows for track_id, state in r.tracks)
    by_school = {sid: blank(sid, name) for sid, name in schools}
    total = blank(0, "All schools")
    for (school_id, state, overdue, acknowledged), n in overall.items():
        for target in (by_school.get(school_id), total):
            if target is not None:
                target.overall.add(state, overdue, n, acknowledged)
    for (school_id, track_id, state, overdue), n in by_track.items():
        for target in (by_school.get(school_id), total):
            if target is not None and track_id in target.by_track:
                target.by_track[track_id].add(state, overdue, n)
    return Summary(list(by_school.values()), total)


def visible_schools(session: Session, school_ids: set[int] | None) -> list[tuple[int, str]]:
    """(id, name) of the schools in scope, schools first and the central team last."""
    query = select(School.id, School.name).order_by(School.is_central, School.name)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    return [(sid, name) for sid, name in session.execute(query)]
