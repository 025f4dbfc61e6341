"""Statements sent straight to the driver behave as SQLAlchemy's own: values converted both
ways, inside the session's transaction, errors raised as SQLAlchemy's."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, exc, insert, select, update

from elearn.hot_statements import HotStatement
from elearn.models import Attempt, PersonRole, Role

_ATTEMPT = Attempt.__table__
_READ = select(_ATTEMPT.c.id, _ATTEMPT.c.question_ids, _ATTEMPT.c.option_order,
               _ATTEMPT.c.started_at, _ATTEMPT.c.unit_id).where(
    _ATTEMPT.c.person_id == bindparam("person_id"))


@pytest.fixture
def attempt(db, make_person, cycle):
    person = make_person(Role.STAFF)
    made = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id="unit-a", number=1,
                   content_fingerprint="f", question_ids=["q1", "q2"],
                   option_order={"q1": ["b", "a"]}, pass_mark=80,
                   started_at=datetime(2026, 11, 30, 9, 15, 7, 123456, tzinfo=UTC))
    db.session.add(made)
    db.session.commit()
    return made


def test_rows_come_back_as_sqlalchemy_gives_them(db, attempt):
    expected = [tuple(row) for row in db.session.execute(_READ, {"person_id": attempt.person_id})]
    rows = HotStatement(_READ).rows(db.session, {"person_id": attempt.person_id})
    assert rows == expected
    [(_, question_ids, option_order, started_at, _)] = rows
    assert question_ids == ["q1", "q2"] and option_order == {"q1": ["b", "a"]}
    assert started_at == datetime(2026, 11, 30, 9, 15, 7, 123456, tzinfo=UTC)


def test_no_rows_is_an_empty_list(db, attempt):
    assert HotStatement(_READ).rows(db.session, {"person_id": attempt.person_id + 1}) == []


def test_values_are_converted_for_the_driver_as_sqlalchemy_would(db, attempt):
    touched = datetime(2026, 12, 1, 8, 0, 0, 5, tzinfo=UTC)
    statement = HotStatement(update(_ATTEMPT).where(_ATTEMPT.c.id == bindparam("touched"))
                             .values(last_activity_at=bindparam("now"),
                                     question_ids=bindparam("ids")))
    assert statement.execute(db.session, {"touched": attempt.id, "now": touched,
                                          "ids": ["q2", "q1"]}) == 1
    db.session.commit()
    db.session.expire_all()
    assert attempt.last_activity_at == touched and attempt.question_ids == ["q2", "q1"]


def test_a_change_belongs_to_the_sessions_transaction(db, attempt):
    statement = HotStatement(update(_ATTEMPT).where(_ATTEMPT.c.id == bindparam("touched"))
                             .values(unit_id="unit-b"))
    assert statement.execute(db.session, {"touched": attempt.id}) == 1
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id).unit_id == "unit-a"


def test_a_driver_error_is_raised_as_sqlalchemys_and_the_session_can_go_on(db, attempt):
    role = PersonRole.__table__
    statement = HotStatement(insert(role).values(person_id=bindparam("person_id"),
                                                 role=bindparam("role")))
    with pytest.raises(exc.IntegrityError):
        statement.execute(db.session, {"person_id": attempt.person_id, "role": "staff"})
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id) is not None


def test_a_statement_taking_a_list_of_values_is_refused_when_first_run(db, attempt):
    statement = HotStatement(select(_ATTEMPT.c.id).where(
        _ATTEMPT.c.unit_id.in_(bindparam("units", expanding=True))))
    with pytest.raises(ValueError, match="list of values"):
        statement.rows(db.session, {"units": ["unit-a"]})


def test_every_hot_statement_of_the_app_gives_what_sqlalchemy_gives(db, make_person, cycle):
    from datetime import date

    from elearn.auth import sessions
    from elearn.certification import issuing, services
    from elearn.certification import views as certificate_views
    from elearn.cycles import rules
    from elearn.learner import acknowledgement
    from elearn.models import (
        Answer,
        AttemptResult,
        CarriedOverPass,
        Certificate,
        Completion,
        PolicyAcknowledgement,
        ReviewCycle,
    )
    from elearn.quiz import on_screen, passes

    person = make_person(Role.STAFF, Role.HR, school="central")
    made = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id="u", number=1,
                   content_fingerprint="f", question_ids=["q1"], option_order={"q1": ["a"]},
                   pass_mark=80, started_at=datetime(2026, 1, 1, tzinfo=UTC),
                   submitted_at=datetime(2026, 1, 1, 2, tzinfo=UTC))
    db.session.add(made)
    db.session.flush()
    db.session.add_all([
        Answer(attempt_id=made.id, question_id="q1", response=["a"],
               answered_at=datetime(2026, 1, 1, 1, tzinfo=UTC)),
        AttemptResult(attempt_id=made.id, score=1, max_score=1, percent=100, passed=True,
                      marks={"q1": 1}),
        Certificate(code="C1", person_id=person.id, cycle_id=cycle.id, track_id="t",
                    holder_name="x", school_name="y", track_title="z", policy_title="p",
                    policy_version="v1", completed_on=date(2026, 1, 1),
                    valid_until=date(2027, 1, 1), template_version="1", sha256="s",
                    pdf=b"%PDF", revoked_at=datetime(2026, 2, 1, tzinfo=UTC))])
    # What the learner's home page reads: an earlier cycle, a pass carried over from it, an
    # acknowledgement, and a completion whose certificate is missing.
    earlier = ReviewCycle(policy_id="p", policy_version="v0", reviewed_on=date(2025, 1, 1),
                          review_date=date(2026, 1, 1))
    db.session.add(earlier)
    db.session.flush()
    db.session.add_all([
        CarriedOverPass(person_id=person.id, cycle_id=cycle.id, unit_id="u",
                        attempt_id=made.id),
        PolicyAcknowledgement(person_id=person.id, cycle_id=cycle.id, policy_version="v1",
                              acknowledged_at=datetime(2026, 1, 3, tzinfo=UTC)),
        Completion(person_id=person.id, cycle_id=cycle.id, track_id="t2",
                   completed_at=datetime(2026, 1, 4, tzinfo=UTC))])
    db.session.commit()
    mine = {"person_id": person.id, "cycle_id": cycle.id}
    for statement, params in [
            (acknowledgement._ACKNOWLEDGEMENT, mine),
            (passes._CARRIED_OVER, mine),
            (passes._CARRIED_OVER_AT_UNIT, mine | {"unit_id": "u"}),
            (issuing._MISSING_FOR_PERSON, {"person_id": person.id}),
            (services._MY_CERTIFICATES, {"person_id": person.id}),
            (rules._PREVIOUS_VERSION, {"reviewed_on": cycle.reviewed_on,
                                       "cycle_id": cycle.id}),
            (sessions._PERSON_BY_SESSION_TOKEN, {"session_token": person.session_token}),
            (passes._SIGNED_IN_AND_CARRIED_OVER, {"session_token": person.session_token}),
            (rules._CURRENT_VALUES, {}),
            (on_screen._ATTEMPT_ON_SCREEN, {"attempt_id": made.id}),
            (on_screen._SIGNED_IN_AND_ATTEMPT_ON_SCREEN,
             {"attempt_id": made.id, "session_token": person.session_token}),
            *[(statement, {"code": "C1", "session_token": person.session_token})
              for statement in (*certificate_views._WITH_SIGNED_IN.values(),
                                *certificate_views._ALONE.values())]]:
        expected = [tuple(row) for row in db.session.execute(
            statement.statement_for(db.engine.dialect.name), params)]
        rows = [tuple(row) for row in statement.rows(db.session, params)]
        assert rows == expected and rows
        assert [[type(value) for value in row] for row in rows] == \
            [[type(value) for value in row] for row in expected]


def test_a_parameter_name_needing_quotes_is_refused_when_first_run(db, attempt):
    statement = HotStatement(update(_ATTEMPT).where(_ATTEMPT.c.id == bindparam("id"))
                             .values(question_ids=bindparam("ids[new]")))
    with pytest.raises(ValueError, match="need no quoting"):
        statement.execute(db.session, {"id": attempt.id, "ids[new]": ["q9"]})


def test_a_statement_built_per_database_is_built_for_the_sessions_database(db, attempt):
    built_for = []

    def build(dialect_name):
        built_for.append(dialect_name)
        return _READ

    statement = HotStatement(build=build)
    assert [row.id for row in statement.rows(db.session, {"person_id": attempt.person_id})] \
        == [attempt.id]
    statement.rows(db.session, {"person_id": attempt.person_id})
    assert built_for == [db.session.get_bind().dialect.name]  # once, then kept


def test_a_hot_statement_takes_a_statement_or_a_build_function_not_both():
    with pytest.raises(TypeError):
        HotStatement(_READ, build=lambda _dialect: _READ)
    with pytest.raises(TypeError):
        HotStatement()


def _attempt_rows_in_a_view_standing_alone(db, attempt, moved: bool):
    """In a view whose statements stand alone: the session moves the attempt to another
    unit without committing, then the hot read runs, inside in_transactions() if `moved`."""
    from elearn.extensions import each_statement_alone, in_transactions

    @each_statement_alone
    def view():
        with in_transactions() if moved else contextlib.nullcontext():
            db.session.execute(update(_ATTEMPT).where(_ATTEMPT.c.id == attempt.id)
                               .values(unit_id="moved"))
            rows = HotStatement(_READ).rows(db.session, {"person_id": attempt.person_id})
            db.session.rollback()
        return rows

    return view()


def test_in_a_block_of_transactions_a_hot_read_sees_the_blocks_own_writes(db, attempt):
    [row] = _attempt_rows_in_a_view_standing_alone(db, attempt, moved=True)
    assert row.unit_id == "moved"


def test_a_question_page_sends_its_one_read_alone_without_a_transaction(
        db, signed_in, cycle, trace_statements, start_attempt):
    client, person = signed_in(Role.STAFF)
    started = start_attempt(person, cycle)
    attempt_id = started.id
    statements_sent = trace_statements()
    response = client.get(f"/attempts/{attempt_id}/questions/1")
    assert response.status_code == 200
    # The page's one read, committed by itself: no BEGIN, COMMIT or ROLLBACK around it.
    assert [sql.split()[0] for sql in statements_sent] == ["SELECT"]


def _in_another_thread(work):
    """Run `work` in a thread of its own (as the development server serves each request),
    where a stand-alone view keeps no connection; its result, or its error raised here."""
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _reading_view(db, person_id: int, fails: bool = False):
    """A stand-alone view that reads; what it gives: the driver's connection it read on and
    the pool's connections in use while it ran."""
    from elearn.extensions import each_statement_alone
    from elearn.hot_statements import stand_alone_connection

    @each_statement_alone
    def view():
        HotStatement(_READ).rows(db.session, {"person_id": person_id})
        seen = (stand_alone_connection.get().connection().connection.driver_connection,
                db.engine.pool.checkedout())
        if fails:
            raise LookupError("the view failed")
        return seen

    return view


def _run_as_a_request(app, view):
    """Run the view in an app context of its own, ended as a request's is."""
    with app.app_context():
        return view()


@pytest.mark.parametrize("fails", [False, True])
def test_in_another_thread_a_view_standing_alone_gives_its_connection_back_as_its_context_ends(
        app, db, attempt, fails):
    view = _reading_view(db, attempt.person_id, fails)
    db.session.remove()

    def request():
        with pytest.raises(LookupError) if fails else contextlib.nullcontext():
            return _run_as_a_request(app, view)

    _in_another_thread(request)
    assert db.engine.pool.checkedout() == 0


@pytest.mark.parametrize("fails", [False, True])
def test_in_the_main_thread_a_view_standing_alone_keeps_its_idle_connection_for_the_next(
        app, db, attempt, fails):
    view, reading = (_reading_view(db, attempt.person_id, fails),
                     _reading_view(db, attempt.person_id))
    db.session.remove()
    with pytest.raises(LookupError) if fails else contextlib.nullcontext():
        _run_as_a_request(app, view)
    assert db.engine.pool.checkedout() == 1  # kept, not given back
    first_driver_connection = _run_as_a_request(app, view if not fails else reading)[0]
    again, in_use = _run_as_a_request(app, reading)
    assert again is first_driver_connection and in_use == 1


def test_disposing_of_the_engine_closes_the_kept_connection(app, db, attempt):
    view = _reading_view(db, attempt.person_id)
    db.session.remove()
    driver, _ = _run_as_a_request(app, view)
    assert db.engine.pool.checkedout() == 1
    db.engine.dispose()  # as before its database is dropped: nothing may hold it open
    if db.engine.dialect.name == "sqlite":
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            driver.execute("SELECT 1")
    else:
        assert driver.closed


def test_with_pre_ping_a_views_connection_is_given_back_to_be_pinged_at_the_next(
        app, db, attempt):
    view = _reading_view(db, attempt.person_id)
    db.session.remove()
    db.engine.pool._pre_ping = True  # as ELEARN_DATABASE_PRE_PING=1 makes it
    _run_as_a_request(app, view)
    assert db.engine.pool.checkedout() == 0


def test_a_connection_left_in_a_transaction_by_its_view_is_given_back_not_kept(app, db, attempt):
    from elearn.extensions import each_statement_alone
    from elearn.hot_statements import stand_alone_connection

    @each_statement_alone
    def view():  # a transaction begun on the driver, which SQLAlchemy does not know of
        driver = stand_alone_connection.get().connection().connection.driver_connection
        driver.execute("BEGIN")
        return driver

    db.session.remove()
    driver = _run_as_a_request(app, view)
    assert db.engine.pool.checkedout() == 0
    # The pool's reset ended the transaction before anyone else could be given it.
    in_transaction = (driver.in_transaction if db.engine.dialect.name == "sqlite"
                      else driver.info.transaction_status.name != "IDLE")
    assert not in_transaction


@pytest.mark.parametrize("stale", ["older than pool_recycle", "invalidated"])
def test_a_kept_connection_the_pool_would_not_hand_out_again_is_replaced(
        app, db, attempt, stale):
    from elearn.extensions import each_statement_alone
    from elearn.hot_statements import stand_alone_connection

    @each_statement_alone
    def view():
        connection = stand_alone_connection.get().connection()
        if stale == "invalidated":  # as after a lost server seen on another connection
            connection.connection.invalidate(soft=True)
        return connection.connection.driver_connection

    reading = _reading_view(db, attempt.person_id)
    db.session.remove()
    first = _run_as_a_request(app, view)
    if stale == "older than pool_recycle":
        db.engine.pool._recycle = 0
        time.sleep(0.01)
    second, in_use = _run_as_a_request(app, reading)
    assert second is not first and in_use == 1


def test_a_view_standing_alone_keeps_its_connection_until_the_session_has_closed(
        app, db, attempt):
    # The session's transaction on the view's connection ends before the connection goes
    # back to the pool, not by the pool's reset under a session that still holds it.
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from elearn.extensions import each_statement_alone

    ended = []

    def session_ended(_session, transaction):
        if transaction.parent is None:
            ended.append("session")

    def checked_in(_dbapi_connection, _record):
        ended.append("connection")

    @each_statement_alone
    def view():
        db.session.execute(select(_ATTEMPT.c.id))  # the session's transaction, on it
        return "done"

    def request():  # in a thread of its own, where the connection goes back to the pool
        with app.app_context():
            assert view() == "done" and ended == []

    db.session.remove()
    event.listen(Session, "after_transaction_end", session_ended)
    event.listen(db.engine.pool, "checkin", checked_in)
    try:
        _in_another_thread(request)
    finally:
        event.remove(Session, "after_transaction_end", session_ended)
        event.remove(db.engine.pool, "checkin", checked_in)
    assert ended == ["session", "connection"]


def test_in_a_view_standing_alone_the_session_uses_the_connection_of_the_hot_reads(
        db, attempt):
    from elearn.extensions import each_statement_alone

    person_id = attempt.person_id

    @each_statement_alone
    def view():
        HotStatement(_READ).rows(db.session, {"person_id": person_id})
        db.session.execute(select(_ATTEMPT.c.id))  # the session begins after the read
        return db.engine.pool.checkedout()

    db.session.remove()
    assert view() == 1


def test_with_a_second_database_the_view_connection_serves_only_its_own(tmp_path):
    from conftest import close_app, make_app
    from sqlalchemy import MetaData, Table
    from sqlalchemy.engine import Connection

    from elearn.extensions import db as _db
    from elearn.extensions import each_statement_alone

    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    app = make_app(tmp_path, SQLALCHEMY_BINDS={"other": other})
    elsewhere = Table("elsewhere", MetaData(info={"bind_key": "other"}))

    @each_statement_alone
    def view():
        session = _db.session()
        return session.get_bind(clause=elsewhere), session.get_bind(clause=_ATTEMPT)

    try:
        with app.app_context():
            other_bind, own_bind = view()
            assert other_bind is _db.engines["other"]
            assert isinstance(own_bind, Connection) and own_bind.engine is _db.engine
    finally:
        with app.app_context():
            _db.engines["other"].dispose()
        close_app(app)
