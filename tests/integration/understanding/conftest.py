"""Learners who answer units through the quiz services, as their clicks would."""

from __future__ import annotations

import random
from datetime import date

import pytest

from elearn.current import content
from elearn.models import utcnow
from elearn.quiz.attempts import save_answer, start_attempt, submit_attempt


@pytest.fixture
def answer_unit(app, db, cycle):
    """answer_unit(person, unit_id, wrong={question ids}, cycle=None): one submitted
    attempt; the questions named are answered with a wrong option, the rest rightly."""
    def take(person, unit_id: str, wrong: frozenset[str] = frozenset(), on=None):
        with app.test_request_context():
            trust, today, now = content(), date.today(), utcnow()
            unit = trust.units[unit_id]
            attempt = start_attempt(db.session, trust, person, on or cycle, unit_id, today,
                                    now, random.Random(person.id))
            db.session.flush()
            for qid in attempt.question_ids:
                question = unit.question(qid)
                response = list(question.correct_ids)
                if qid in wrong:
                    others = [o for o in question.option_ids if o not in response]
                    response = [others[0]] if others else response[::-1]
                save_answer(db.session, trust, person, on or cycle, attempt.id, qid, response,
                            today, now)
            result = submit_attempt(db.session, trust, person, on or cycle, attempt.id,
                                    today, now)
            db.session.commit()
            return attempt, result

    return take
