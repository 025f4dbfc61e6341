"""On PostgreSQL, where every statement is a round trip, the learner's busiest writes run
without BEGIN and COMMIT: each statement is whole on its own."""

from datetime import date

import pytest
from helpers import csrf_token
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from elearn.current import content
from elearn.models import Answer, Attempt, Role, utcnow
from elearn.quiz import attempts as service
from elearn.quiz import saving


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


def _started(start_attempt, person, cycle):
    """A new attempt at "friends": its id, its first question, and that question's right
    answer as a form posts it."""
    attempt = start_attempt(person, cycle)
    question = content().units["friends"].question(attempt.question_ids[0])
    fields = question.spec.form_fields(question.correct_ids, attempt.option_order[question.id])
    return attempt.id, question, fields


def test_the_question_page_saves_an_answer_without_a_transaction(
        db, signed_in, cycle, transactions, start_attempt):
    client, person = signed_in(Role.STAFF)
    attempt_id, _question, fields = _started(start_attempt, person, cycle)
    db.session.remove()
    page = client.get(f"/attempts/{attempt_id}/questions/1")
    transactions.clear()
    saved = client.post(f"/attempts/{attempt_id}/questions/1",
                        data=MultiDict([("csrf_token", csrf_token(page)), *fields]))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    # Read and saved on the view's connection, past the session: nothing began.
    assert transactions == []
    assert db.session.query(Answer).filter_by(attempt_id=attempt_id).count() == 1


def test_starting_a_unit_runs_without_a_transaction(db, signed_in, cycle, transactions):
    client, person = signed_in(Role.STAFF)
    page = client.get("/units/friends")
    transactions.clear()
    started = client.post("/units/friends/start", data={"csrf_token": csrf_token(page)})
    assert started.status_code == 302, started.get_data(as_text=True)
    assert transactions and all(transactions)
    assert db.session.query(Attempt).filter_by(person_id=person.id).count() == 1


def _wal_syncs(connection) -> int:
    """The server's count of WAL flushes to disk so far, this backend's included."""
    connection.exec_driver_sql("SELECT pg_stat_force_next_flush()")
    return connection.exec_driver_sql("SELECT wal_sync FROM pg_stat_wal").scalar_one()


def _saves_flushing(db, attempt_id, question, statement, times: int) -> int:
    """WAL flushes while `statement` keeps the question's answer `times` times over, each
    save its own transaction (as the question page's is)."""
    values = {"attempt_id": attempt_id, "question_id": question.id,
              "response": sorted(question.correct_ids), "answered_at": utcnow()}
    with (db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
          Session(bind=connection) as session):
        before = _wal_syncs(connection)
        for _ in range(times):
            assert statement.execute(session, values) == 1
        flushed = _wal_syncs(connection) - before
        # Only for the statement's own transaction: the connection goes back to the pool
        # committing as it did.
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
    return flushed


def test_an_answer_saved_on_its_own_commits_without_waiting_for_the_disk(
        db, make_person, cycle, transactions, start_attempt):
    attempt_id, question, _fields = _started(start_attempt, make_person(Role.STAFF), cycle)
    # The same save committed the usual way flushes the WAL at every commit: the control.
    waiting = _saves_flushing(db, attempt_id, question, saving._SAVE_UNLESS_SUBMITTED, 40)
    alone = _saves_flushing(db, attempt_id, question, saving._SAVE_ALONE_UNLESS_SUBMITTED, 40)
    assert waiting >= 36
    assert alone <= 10  # PostgreSQL's WAL writer flushes in its own time (every 0.2 s)


def test_a_question_page_save_is_the_one_that_commits_without_waiting(
        db, signed_in, cycle, transactions, monkeypatch, start_attempt):
    client, person = signed_in(Role.STAFF)
    attempt_id, question, fields = _started(start_attempt, person, cycle)
    ran = []
    for name in ("_SAVE_UNLESS_SUBMITTED", "_SAVE_ALONE_UNLESS_SUBMITTED"):
        statement = getattr(saving, name)
        for method in ("execute", "execute_alone"):
            run = getattr(statement, method)
            monkeypatch.setattr(statement, method,
                                lambda where, values, _run=run, _name=name:
                                ran.append(_name) or _run(where, values))
    page = client.get(f"/attempts/{attempt_id}/questions/1")
    saved = client.post(f"/attempts/{attempt_id}/questions/1",
                        data=MultiDict([("csrf_token", csrf_token(page)), *fields]))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert ran == ["_SAVE_ALONE_UNLESS_SUBMITTED"]
    # In a transaction of other writes (here, the test's session), the commit waits.
    ran.clear()
    service.save_answer(db.session, content(), person, cycle, attempt_id, question.id,
                        sorted(question.correct_ids), date.today(), utcnow())
    db.session.commit()
    assert ran == ["_SAVE_UNLESS_SUBMITTED"]
