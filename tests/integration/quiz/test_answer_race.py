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
        app, db, make_person, cycle):
    person = make_person(Role.STAFF)
    started = service.start_attempt(db.session, content(), person, cycle, "friends",
                                    date.today(), utcnow())
    db.session.commit()
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
