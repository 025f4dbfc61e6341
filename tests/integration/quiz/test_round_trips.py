"""On PostgreSQL, where every statement is a round trip, the learner's busiest writes run
without BEGIN and COMMIT: each statement is whole on its own."""

from datetime import date

import pytest
from helpers import csrf_token
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from elearn.current import content
from elearn.models import Answer, Attempt, Role, utcnow
from elearn.quiz import attempts as service


@pytest.fixture
def transactions(db):
    """Each transaction begun while the test runs: whether its connection ran alone."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's transactions are no round trip")
    begun: list[bool] = []

    def note(conn):
        begun.append(conn.connection.driver_connection.autocommit)

    event.listen(db.engine, "begin", note)
    yield begun
    event.remove(db.engine, "begin", note)


def test_the_question_page_saves_an_answer_without_a_transaction(
        db, signed_in, cycle, transactions):
    client, person = signed_in(Role.STAFF)
    attempt = service.start_attempt(db.session, content(), person, cycle, "friends",
                                    date.today(), utcnow())
    db.session.commit()
    question = content().units["friends"].question(attempt.question_ids[0])
    fields = question.spec.form_fields(question.correct_ids, attempt.option_order[question.id])
    attempt_id = attempt.id
    db.session.remove()
    page = client.get(f"/attempts/{attempt_id}/questions/1")
    transactions.clear()
    saved = client.post(f"/attempts/{attempt_id}/questions/1",
                        data=MultiDict([("csrf_token", csrf_token(page)), *fields]))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert transactions and all(transactions)  # every statement ran alone
    assert db.session.query(Answer).filter_by(attempt_id=attempt_id).count() == 1


def test_starting_a_unit_runs_without_a_transaction(db, signed_in, cycle, transactions):
    client, person = signed_in(Role.STAFF)
    page = client.get("/units/friends")
    transactions.clear()
    started = client.post("/units/friends/start", data={"csrf_token": csrf_token(page)})
    assert started.status_code == 302, started.get_data(as_text=True)
    assert transactions and all(transactions)
    assert db.session.query(Attempt).filter_by(person_id=person.id).count() == 1
