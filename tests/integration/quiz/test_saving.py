"""Saving an answer by the attempt's row alone (quiz.saving), on the requested database."""

from datetime import date, timedelta

import pytest

from elearn.current import content
from elearn.models import Answer, Attempt, Role, utcnow
from elearn.quiz import attempts as service


def _all_answered(db, person, cycle, attempt_id, now):
    unit = content().units["friends"]
    for question_id in db.session.get(Attempt, attempt_id).question_ids:
        service.save_answer(db.session, content(), person, cycle, attempt_id, question_id,
                            sorted(unit.question(question_id).correct_ids), date.today(), now)
    db.session.commit()


def test_a_submit_records_on_the_attempts_row_when_it_was_submitted(
        db, make_person, cycle, start_attempt):
    person, now = make_person(Role.STAFF), utcnow()
    attempt_id = start_attempt(person, cycle, started=now).id
    _all_answered(db, person, cycle, attempt_id, now)
    result = service.submit_attempt(db.session, content(), person, cycle, attempt_id,
                                    date.today(), now + timedelta(minutes=3))
    db.session.commit()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.submitted_at == result.submitted_at == now + timedelta(minutes=3)


def test_a_save_read_before_a_submit_and_made_after_it_is_refused_and_kept_nowhere(
        db, make_person, cycle, start_attempt):
    # The question page read the attempt open; another tab submitted before the save ran.
    person, now = make_person(Role.STAFF), utcnow()
    attempt_id = start_attempt(person, cycle, started=now).id
    _all_answered(db, person, cycle, attempt_id, now)
    shown = service.attempt_on_screen(db.session, attempt_id)
    service.submit_attempt(db.session, content(), person, cycle, attempt_id, date.today(),
                           now + timedelta(minutes=1))
    db.session.commit()
    first = shown.question_ids[0]
    other = [o for o in content().units["friends"].question(first).option_ids
             if o not in shown.responses[first]][:1]
    with pytest.raises(service.AttemptSubmitted):
        service.keep_answer(db.session, content(), shown, cycle, first, other, date.today(),
                            now + timedelta(minutes=2))
    db.session.rollback()
    kept = db.session.query(Answer).filter_by(attempt_id=attempt_id, question_id=first).one()
    assert kept.response == shown.responses[first]
    assert db.session.get(Attempt, attempt_id).last_activity_at == now + timedelta(minutes=1)
