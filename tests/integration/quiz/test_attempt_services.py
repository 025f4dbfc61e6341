"""The attempt services against a real database: integrity the code and the schema enforce."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError

from elearn.current import content
from elearn.cycles.rules import cycle_in_force
from elearn.models import Attempt, AttemptResult, Role, utcnow
from elearn.quiz import attempts as service


def _start(db, person, cycle, started=None, rng=None):
    """Start (or resume) `person`'s attempt at the unit 'friends'."""
    return service.start_attempt(db.session, content(), person, cycle, "friends",
                                 date.today(), started or utcnow(), rng)


def _first_question_and_option(attempt):
    question = content().units["friends"].question(attempt.question_ids[0])
    return question, question.option_ids[0]


def test_a_second_result_for_an_attempt_is_refused_by_the_database(db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempt = _start(db, person, cycle, rng=random.Random(1))
    db.session.commit()
    attempt.submitted_at = utcnow()
    db.session.add(AttemptResult(attempt_id=attempt.id, score=1, max_score=3, percent=33,
                                 passed=False, marks={}))
    db.session.commit()
    second = insert(AttemptResult).values(attempt_id=attempt.id, score=3, max_score=3,
                                          percent=100, passed=True, marks={},
                                          submitted_at=utcnow())
    with pytest.raises(IntegrityError):
        db.session.execute(second)
    db.session.rollback()


def test_two_attempts_with_the_same_number_are_refused_by_the_database(db, make_person, cycle):
    person = make_person(Role.STAFF)
    for _ in range(2):
        db.session.add(Attempt(person_id=person.id, cycle_id=cycle.id, unit_id="friends",
                               number=1, content_fingerprint="x", question_ids=[],
                               option_order={}, pass_mark=80))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_starting_twice_resumes_the_same_open_attempt(db, make_person, cycle):
    person = make_person(Role.STAFF)
    first = _start(db, person, cycle)
    db.session.commit()
    second = _start(db, person, cycle)
    assert first.id == second.id


def _begin(db, person, cycle):
    return service.begin_attempt(db.session, content(), person, cycle, "friends",
                                 date.today(), utcnow())


def test_a_new_attempt_begins_at_its_first_question_and_is_not_read_back(
        db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempts_read = []

    def listener(_conn, _cursor, statement, *_args):
        if "FROM attempt" in statement:
            attempts_read.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        started = _begin(db, person, cycle)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert started.number == 1
    assert db.session.get(Attempt, started.attempt_id).person_id == person.id
    assert len(attempts_read) == 1  # the attempts at the unit so far, none read back


def test_a_resumed_attempt_begins_at_its_first_unanswered_question(db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempt = _start(db, person, cycle, rng=random.Random(1))
    db.session.commit()
    question, option = _first_question_and_option(attempt)
    service.save_answer(db.session, content(), person, cycle, attempt.id, question.id,
                        [option], date.today(), utcnow())
    db.session.commit()
    assert _begin(db, person, cycle) == (attempt.id, 2)


def test_attempt_records_the_unit_fingerprint_cycle_and_pass_mark(db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempt = _start(db, person, cycle)
    unit = content().units["friends"]
    assert attempt.content_fingerprint == unit.fingerprint
    assert attempt.cycle_id == cycle.id and attempt.pass_mark == 80


def test_open_attempt_made_from_older_content_is_not_resumed(db, make_person, cycle):
    person = make_person(Role.STAFF)
    old = _start(db, person, cycle)
    old.content_fingerprint = "an-older-version"
    db.session.commit()
    new = _start(db, person, cycle)
    db.session.commit()
    assert new.id != old.id and new.number == 2
    assert db.session.get(Attempt, old.id) is not None  # the old answers are kept


def test_unit_outside_my_tracks_cannot_be_started(db, make_person, cycle):
    governor = make_person(Role.GOVERNOR)
    with pytest.raises(service.AttemptNotFound):
        service.start_attempt(db.session, content(), governor, cycle, "friends",
                              date.today(), utcnow())


def test_saving_an_answer_keeps_it_replaces_an_earlier_one_and_moves_last_activity(
        db, make_person, cycle):
    person = make_person(Role.STAFF)
    started = utcnow()
    attempt = _start(db, person, cycle, started)
    question, first = _first_question_and_option(attempt)
    second = question.option_ids[1]
    attempt_id = attempt.id
    db.session.commit()
    for chosen, minutes in ((first, 1), (second, 2)):
        service.save_answer(db.session, content(), person, cycle, attempt_id, question.id,
                            [chosen], date.today(), started + timedelta(minutes=minutes))
        db.session.commit()
    attempt = db.session.get(Attempt, attempt_id)
    assert [(a.question_id, a.response) for a in attempt.answers] == [(question.id, [second])]
    assert attempt.last_activity_at == started + timedelta(minutes=2)
    assert attempt.answers[0].answered_at == started + timedelta(minutes=2)


def test_an_attempt_on_screen_carries_the_cycle_in_force_not_its_own(
        db, make_person, cycle, newer_cycle):
    person = make_person(Role.STAFF)
    attempt = _start(db, person, cycle)
    db.session.commit()
    newer = newer_cycle()
    shown = service.attempt_on_screen(db.session, attempt.id)
    assert shown.cycle_id == cycle.id
    assert shown.cycle_in_force == cycle_in_force(db.session)
    assert shown.cycle_in_force.id == newer.id and shown.cycle_in_force.policy_version == "v2"


def test_a_save_refused_for_an_earlier_cycle_leaves_the_last_activity_as_it_was(
        db, make_person, cycle, newer_cycle):
    person = make_person(Role.STAFF)
    started = utcnow()
    attempt = _start(db, person, cycle, started)
    attempt_id = attempt.id
    question, option = _first_question_and_option(attempt)
    db.session.commit()
    newer_cycle()
    with pytest.raises(service.AttemptClosed):
        service.save_answer(db.session, content(), person, cycle_in_force(db.session),
                            attempt_id, question.id, [option], date.today(),
                            started + timedelta(minutes=5))
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).last_activity_at == started


def test_an_attempt_number_already_taken_is_not_inserted_again(db, make_person, cycle):
    person = make_person(Role.STAFF)
    now = utcnow()
    values = {"person_id": person.id, "cycle_id": cycle.id, "unit_id": "friends", "number": 1,
              "content_fingerprint": "f", "question_ids": ["q1"], "option_order": {"q1": []},
              "pass_mark": 80, "started_at": now, "last_activity_at": now}
    first = service._ATTEMPT_INSERT.first(db.session, values)
    again = service._ATTEMPT_INSERT.first(db.session, values)
    assert first is not None and again is None  # a racing start: no error, no second row
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
