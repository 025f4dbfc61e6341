"""Attempt services: start, answer, submit. Rules raise domain errors; views translate them."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from elearn.content.drawing import covering_draw, unit_requirements
from elearn.content.model import Content, Unit
from elearn.cycles.rules import deadline_passed
from elearn.hot_statements import HotStatement
from elearn.models import (
    INSERTS,
    AnyCycle,
    AnyPerson,
    Attempt,
    AttemptResult,
)
from elearn.people.rules import tracks_of
from elearn.quiz.grading import ResponseError, check_response, grade
from elearn.quiz.on_screen import AttemptOnScreen, attempt_on_screen
from elearn.quiz.passes import CarriedOver, pass_carried_over_at
from elearn.quiz.saving import save_unless_submitted


class AttemptError(ValueError):
    """An action on an attempt is refused; the message says why in the learner's words."""


class AttemptNotFound(AttemptError):
    """No such attempt for this person (another person's attempt looks the same)."""


class AttemptClosed(AttemptError):
    pass


class AttemptSubmitted(AttemptClosed):
    """The attempt has been submitted (perhaps from another tab): its answers are kept."""

    def __init__(self) -> None:
        super().__init__("This attempt has already been submitted, so its answers can no "
                         "longer change. Start a new attempt from your home page.")


class DeadlinePassed(AttemptError):
    pass


class MissingAnswers(AttemptError):
    def __init__(self, question_numbers: list[int]):
        self.question_numbers = question_numbers
        listed = ", ".join(str(n) for n in question_numbers)
        super().__init__(f"Answer every question before submitting. Still to answer: "
                         f"question{'s' if len(question_numbers) > 1 else ''} {listed}.")


class UnitState(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    PASSED = "passed"
    CARRIED_OVER = "carried over"
    FAILED = "failed - retake"

    @property
    def passed(self) -> bool:
        return self in (UnitState.PASSED, UnitState.CARRIED_OVER)


def draw(unit: Unit, rng: random.Random, required: frozenset[str] = frozenset()
         ) -> tuple[list[str], dict[str, list[str]]]:
    """Draw the unit's questions for one attempt and shuffle each question's options.

    Every clause in `required` is cited by a drawn question (see content.drawing); the
    drawn questions keep the unit's own order, as scenarios read in sequence.
    """
    questions = covering_draw(unit, required, rng)
    option_order: dict[str, list[str]] = {}
    for q in questions:
        option_order[q.id] = q.spec.shuffle(q.option_ids, rng)  # each kind shuffles its own way
    return [q.id for q in questions], option_order


# The attempt with its answers and result in one query (joined), built once: get() loaded
# the answers with a second SELECT and built its statement on every call.
_ATTEMPT_WITH_ANSWERS = (select(Attempt).options(joinedload(Attempt.answers))
                         .where(Attempt.id == bindparam("attempt_id")))


def attempt_with_answers(session: Session, attempt_id: int) -> Attempt | None:
    """The attempt, with its answers and result loaded; None if there is no such attempt."""
    return session.scalars(_ATTEMPT_WITH_ANSWERS,
                           {"attempt_id": attempt_id}).unique().one_or_none()


def _own_attempt(session: Session, person: AnyPerson, attempt_id: int) -> Attempt:
    return _refuse_others(attempt_with_answers(session, attempt_id), person)


def _refuse_others(attempt, person: AnyPerson):
    """The attempt, if it is the person's (another person's looks like none at all)."""
    if attempt is None or attempt.person_id != person.id:
        raise AttemptNotFound("There is no such attempt.")
    return attempt


def _refuse_closed(attempt: Attempt | AttemptOnScreen, cycle: AnyCycle,
                   today: date) -> None:
    """Raise why the attempt's answers can no longer change, if they cannot."""
    if attempt.submitted:
        raise AttemptSubmitted()
    if attempt.cycle_id != cycle.id:
        raise AttemptClosed("This attempt belongs to an earlier review cycle. Start the unit "
                            "again from your home page.")
    if deadline_passed(cycle.review_date, today):
        raise DeadlinePassed(
            f"The review date ({cycle.review_date:%d %B %Y}) has passed, so answers can no "
            "longer be accepted. The Trust will reopen training when the policy is reviewed.")


_ATTEMPT = Attempt.__table__


# INSERT an attempt unless its number is taken (a racing start): its id, or no row.
# A statement of its own rather than an object flushed in a savepoint: the savepoint's
# two round trips and the unit of work's flush were most of a start's time.
_ATTEMPT_INSERT = HotStatement(
    build=lambda dialect_name: INSERTS[dialect_name](_ATTEMPT)
    .values({c.name: bindparam(c.name, type_=c.type) for c in _ATTEMPT.c
             if c.name not in ("id", "submitted_at")})  # a new attempt is open
    .on_conflict_do_nothing(index_elements=["person_id", "cycle_id", "unit_id", "number"])
    .returning(_ATTEMPT.c.id))


# A person's attempts in a cycle, with their answers and results in the same query
# (joined), built once: the answers' own SELECT was a second round trip on every learner
# page, and building the statement cost more than SQLite took to run it.
_ATTEMPTS = (select(Attempt).options(joinedload(Attempt.answers))
             .where(Attempt.person_id == bindparam("person_id"),
                    Attempt.cycle_id == bindparam("cycle_id"))
             .order_by(Attempt.unit_id, Attempt.number))
_ATTEMPTS_AT_UNIT = _ATTEMPTS.where(Attempt.unit_id == bindparam("unit_id"))


def attempts_for(session: Session, person_id: int, cycle_id: int,
                 unit_id: str | None = None) -> list[Attempt]:
    """A person's attempts in a cycle (at one unit, if given), by unit and number."""
    values = {"person_id": person_id, "cycle_id": cycle_id}
    if unit_id is None:
        return list(session.scalars(_ATTEMPTS, values).unique())
    return list(session.scalars(_ATTEMPTS_AT_UNIT, values | {"unit_id": unit_id}).unique())


def unit_state(attempts: Iterable[Attempt], fingerprint: str) -> UnitState:
    """A person's state for one unit in one cycle, from their attempts at it (in order)."""
    attempts = list(attempts)
    if any(a.result is not None and a.result.passed for a in attempts):
        return UnitState.PASSED
    if any(a.result is None and a.content_fingerprint == fingerprint for a in attempts):
        return UnitState.IN_PROGRESS
    if any(a.result is not None for a in attempts):
        return UnitState.FAILED
    return UnitState.NOT_STARTED


def open_attempt_for(attempts: Iterable[Attempt], fingerprint: str) -> Attempt | None:
    return next((a for a in attempts if a.result is None
                 and a.content_fingerprint == fingerprint), None)


class AttemptStarted(NamedTuple):
    """Where starting a unit leads: the attempt, and its first unanswered question (from 1)."""

    attempt_id: int
    number: int


def _first_unanswered(attempt: Attempt) -> int:
    return next((n for n, qid in enumerate(attempt.question_ids, 1)
                 if attempt.answer_for(qid) is None), 1)


def begin_attempt(session: Session, content: Content, person: AnyPerson, cycle: AnyCycle,
                  unit_id: str, today: date, now: datetime,
                  rng: random.Random | None = None) -> AttemptStarted:
    """Resume the open attempt at a unit, or start a new one (a retake after a fail): where
    its questions begin. A new attempt begins at its first question, so it is not read back
    (a round trip of every start on PostgreSQL)."""
    unit = content.units.get(unit_id)
    tracks = tracks_of(content, person)
    if unit is None or not any(unit_id in t.unit_ids for t in tracks):
        raise AttemptNotFound("There is no such unit in your training.")
    if deadline_passed(cycle.review_date, today):
        raise DeadlinePassed(
            f"The review date ({cycle.review_date:%d %B %Y}) has passed, so new attempts "
            "cannot start. The Trust will reopen training when the policy is reviewed.")
    existing = attempts_for(session, person.id, cycle.id, unit_id)
    open_attempt = open_attempt_for(existing, unit.fingerprint)
    if open_attempt is not None:
        return AttemptStarted(open_attempt.id, _first_unanswered(open_attempt))
    if unit_state(existing, unit.fingerprint) is UnitState.PASSED:
        raise AttemptClosed("You have already passed this unit in this review cycle.")
    if pass_carried_over_at(session, person.id, cycle.id, unit_id):
        raise AttemptClosed("Your pass at this unit in the last review cycle carries over: "
                            "the policy's changes do not touch it.")
    question_ids, option_order = draw(unit, rng or random.SystemRandom(),
                                      unit_requirements(content, unit))
    # `existing` holds every attempt at this unit in the cycle: its highest number is the
    # one a max() query would return (a racing start still meets the unique constraint).
    number = max((a.number for a in existing), default=0) + 1
    values = {"person_id": person.id, "cycle_id": cycle.id, "unit_id": unit_id,
              "number": number, "content_fingerprint": unit.fingerprint,
              "question_ids": question_ids, "option_order": option_order,
              "pass_mark": content.pass_mark_for(unit_id), "started_at": now,
              "last_activity_at": now}
    attempt_id = _ATTEMPT_INSERT.first(session, values)
    if attempt_id is None:
        # A second click won the race for this number: use the attempt it made.
        session.expire_all()
        made = open_attempt_for(attempts_for(session, person.id, cycle.id, unit_id),
                                unit.fingerprint)
        if made is None:
            raise AttemptError("Another start of this unit got in first. Try again.")
        return AttemptStarted(made.id, _first_unanswered(made))
    return AttemptStarted(attempt_id[0], 1)


def start_attempt(session: Session, content: Content, person: AnyPerson, cycle: AnyCycle,
                  unit_id: str, today: date, now: datetime,
                  rng: random.Random | None = None) -> Attempt:
    """begin_attempt, giving the attempt itself (read through the ORM, so that the session
    knows it as it knows any row it loaded)."""
    started = begin_attempt(session, content, person, cycle, unit_id, today, now, rng)
    return attempt_with_answers(session, started.attempt_id)


# A save and a submit take turns at the attempt's row: the submit holds it from before it
# reads the answers until it commits, and a save writes only while the row says the attempt
# is open (quiz.saving). A save racing a submit from another tab then either
# lands before the grading reads the answers, or finds the attempt submitted. (On
# PostgreSQL; SQLite, with no FOR UPDATE, lets one writer in at a time anyway.) A separate
# statement from the reads that follow: a statement that waited for a lock still sees the
# data as it was when it began.
_HOLD_ATTEMPT = HotStatement(select(_ATTEMPT.c.id)
                             .where(_ATTEMPT.c.id == bindparam("attempt_id"))
                             .with_for_update())


def hold_attempt(session: Session, attempt_id: int) -> None:
    """Wait for the attempt's row and hold it to the end of the transaction: call before
    reading the attempt to submit it."""
    _HOLD_ATTEMPT.rows(session, {"attempt_id": attempt_id})


def save_answer(session: Session, content: Content, person: AnyPerson, cycle: AnyCycle,
                attempt_id: int, question_id: str, response: list[str], today: date,
                now: datetime) -> None:
    """Keep the learner's answer to one question of their open attempt."""
    attempt = _refuse_others(attempt_on_screen(session, attempt_id), person)
    keep_answer(session, content, attempt, cycle, question_id, response, today, now)


def keep_answer(session: Session, content: Content, attempt: AttemptOnScreen,
                cycle: AnyCycle, question_id: str, response: list[str], today: date,
                now: datetime) -> None:
    """save_answer() for an attempt the caller has read already and found to be the
    person's: the question page reads it to know the question asked. A submit since that
    read is found by the save itself (AttemptSubmitted)."""
    _refuse_closed(attempt, cycle, today)
    if question_id not in attempt.question_ids:
        raise AttemptError("That question is not part of this attempt.")
    unit = content.units[attempt.unit_id]
    try:
        chosen = check_response(unit.question(question_id), response)
    except ResponseError as exc:
        raise AttemptError(str(exc)) from exc
    # Statements straight to the tables, not ORM changes flushed at commit: the unit of
    # work's flush was two fifths of an answer's time. The same question answered at once
    # from two tabs meets the unique constraint, and ON CONFLICT makes the later answer
    # replace the earlier (as a second save from one tab does).
    values = {"attempt_id": attempt.id, "question_id": question_id, "response": list(chosen),
              "answered_at": now}
    if not save_unless_submitted(session, values):
        raise AttemptSubmitted()
    # Any ORM copy of this attempt the session holds is now out of date.
    session.expire_all()


def submit_attempt(session: Session, content: Content, person: AnyPerson, cycle: AnyCycle,
                   attempt_id: int, today: date, now: datetime) -> AttemptResult:
    """Grade and close the attempt. Submitting again returns the one stored result.
    The caller must not have loaded the attempt's answers before: they are read here, once
    the attempt's row is held."""
    hold_attempt(session, attempt_id)
    attempt = _own_attempt(session, person, attempt_id)
    if attempt.result is not None:
        return attempt.result
    _refuse_closed(attempt, cycle, today)
    unit = content.units[attempt.unit_id]
    answers = {a.question_id: a.response for a in attempt.answers}
    missing = [n for n, qid in enumerate(attempt.question_ids, 1) if qid not in answers]
    if missing:
        raise MissingAnswers(missing)
    questions = [unit.question(qid) for qid in attempt.question_ids]
    result_grade = grade(questions, answers, attempt.pass_mark)
    result = AttemptResult(attempt_id=attempt.id, score=result_grade.score,
                           max_score=result_grade.max_score, percent=result_grade.percent,
                           passed=result_grade.passed, marks=result_grade.marks,
                           submitted_at=now)
    # No savepoint for a racing submit (a double click, a second tab): it waits for this
    # transaction at the attempt's row (hold_attempt), then finds the result stored above.
    session.add(result)
    attempt.last_activity_at = attempt.submitted_at = now
    return result


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    state: UnitState
    open_attempt: Attempt | None
    best_percent: int | None
    last_attempt: Attempt | None
    carried_over: CarriedOver | None = None

    @property
    def passed(self) -> bool:
        return self.state.passed


def progress(content: Content, unit_ids: Iterable[str], attempts: list[Attempt],
             carried: dict[str, CarriedOver] | None = None) -> list[UnitProgress]:
    """Each unit's state for a person in a cycle, from all their attempts in it and the
    passes carried over into it."""
    carried = carried or {}
    rows = []
    for uid in unit_ids:
        unit = content.units[uid]
        mine = [a for a in attempts if a.unit_id == uid]
        scored = [a.result.percent for a in mine if a.result is not None]
        state = unit_state(mine, unit.fingerprint)
        if uid in carried and state is not UnitState.PASSED:
            state = UnitState.CARRIED_OVER
        rows.append(UnitProgress(unit, state, open_attempt_for(mine, unit.fingerprint),
                                 max(scored) if scored else None,
                                 mine[-1] if mine else None, carried.get(uid)))
    return rows
