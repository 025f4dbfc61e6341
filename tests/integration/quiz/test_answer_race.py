"""Two tabs answering the same question for the first time at once, on PostgreSQL.

On SQLite the two requests cannot overlap (each write request begins IMMEDIATE); on
PostgreSQL they can, and the loser's insert meets the unique (attempt, question). Before,
it re-read a stale list of answers and the request failed with a 500 (seen by make bench).
"""

from datetime import date

import pytest
from helpers import POSTGRES_URL

from elearn.current import content
from elearn.extensions import db as _db
from elearn.models import Answer, Attempt, Role, utcnow
from elearn.quiz import attempts as service

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="the race needs concurrent writers: set ELEARN_TEST_POSTGRES_URL")


def test_an_answer_losing_the_race_for_the_first_insert_updates_the_winners(
        app, db, make_person, cycle, start_attempt):
    person = make_person(Role.STAFF)
    started = start_attempt(person, cycle)
    attempt_id, question_id = started.id, started.question_ids[0]
    question = content().units["friends"].question(question_id)
    first, second = sorted(question.option_ids)[:1], sorted(question.option_ids)[1:2]
    # This request has loaded the attempt and found no answer yet...
    assert db.session.get(Attempt, attempt_id).answers == []
    with app.app_context():  # ...when the other tab's request saves and commits its answer.
        service.save_answer(_db.session, content(), _db.session.merge(person), cycle,
                            attempt_id, question_id, first, date.today(), utcnow())
        _db.session.commit()
        _db.session.remove()
    service.save_answer(db.session, content(), person, cycle, attempt_id, question_id,
                        second, date.today(), utcnow())
    db.session.commit()
    [kept] = db.session.query(Answer).filter_by(attempt_id=attempt_id).all()
    assert kept.response == second


def _started_with_all_but_the_last_answered(db, person, cycle):
    attempt = service.start_attempt(db.session, content(), person, cycle, "friends",
                                    date.today(), utcnow())
    unit = content().units["friends"]
    for question_id in attempt.question_ids[:-1]:
        service.save_answer(db.session, content(), person, cycle, attempt.id, question_id,
                            sorted(unit.question(question_id).correct_ids), date.today(),
                            utcnow())
    db.session.commit()
    last = attempt.question_ids[-1]
    return attempt.id, last, sorted(unit.question(last).correct_ids)


def _in_another_request(app, work):
    """Run `work(session)` in its own app context and session, in a thread; its outcome
    (a value or an exception) lands in the returned list."""
    import threading

    outcome: list = []

    def run():
        with app.app_context():
            try:
                outcome.append(work(_db.session))
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 (the outcome under test)
                outcome.append(exc)
                _db.session.rollback()
            finally:
                _db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_submit_waits_for_a_save_in_progress_and_grades_its_answer(
        app, db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempt_id, last, answer = _started_with_all_but_the_last_answered(db, person, cycle)
    service.hold_attempt(db.session, attempt_id)  # this tab's save has begun
    thread, outcome = _in_another_request(app, lambda session: service.submit_attempt(
        session, content(), session.merge(person), session.merge(cycle), attempt_id,
        date.today(), utcnow()).score)
    thread.join(0.5)
    assert thread.is_alive()  # the other tab's submit waits for the save...
    service.save_answer(db.session, content(), person, cycle, attempt_id, last, answer,
                        date.today(), utcnow())
    db.session.commit()
    thread.join(10)
    assert outcome and not isinstance(outcome[0], Exception), outcome  # ...and grades it
    assert outcome[0] == len(db.session.get(Attempt, attempt_id).question_ids)


def test_a_save_waiting_for_a_submit_finds_the_attempt_submitted(app, db, make_person, cycle):
    person = make_person(Role.STAFF)
    attempt_id, last, answer = _started_with_all_but_the_last_answered(db, person, cycle)
    service.save_answer(db.session, content(), person, cycle, attempt_id, last, answer,
                        date.today(), utcnow())
    db.session.commit()
    service.submit_attempt(db.session, content(), person, cycle, attempt_id, date.today(),
                           utcnow())  # graded, not yet committed...
    thread, outcome = _in_another_request(app, lambda session: service.save_answer(
        session, content(), session.merge(person), session.merge(cycle), attempt_id, last,
        answer, date.today(), utcnow()))
    thread.join(0.5)
    assert thread.is_alive()  # ...when the other tab's save arrives: it waits
    db.session.commit()
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], service.AttemptClosed), outcome
