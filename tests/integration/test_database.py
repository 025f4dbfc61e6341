"""The database the suite runs on is the one asked for, set up as production expects."""

import pytest
from helpers import POSTGRES_URL
from sqlalchemy import text


def test_suite_runs_on_the_requested_database(db):
    expected = "postgresql" if POSTGRES_URL else "sqlite"
    assert db.engine.dialect.name == expected


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migrations_reach_the_models_tables(db):
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    assert {"person", "attempt", "answer", "attempt_result", "certificate",
            "review_cycle", "alembic_version"} <= tables


def test_health_check_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"
    assert "Set-Cookie" not in response.headers


def test_sqlite_writers_queue_for_the_database_file(db):
    if db.engine.dialect.name != "sqlite":
        return
    from elearn.sqlite_writers import QueuedWriterConnection

    with db.engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection, QueuedWriterConnection)


def _pooled_connection_after(db, stand_alone: bool):
    from sqlalchemy import select

    from elearn.hot_statements import StandAloneConnection, stand_alone_connection

    token = stand_alone_connection.set(
        StandAloneConnection(lambda: db.engine) if stand_alone else None)
    try:
        with db.engine.connect() as conn:
            conn.execute(select(1))
            return conn.connection.dbapi_connection, conn.connection.driver_connection.autocommit
    finally:
        stand_alone_connection.reset(token)


def test_postgresql_runs_a_read_only_views_statements_alone_and_the_next_in_a_transaction(db):
    if db.engine.dialect.name != "postgresql":
        return
    db.session.remove()
    db.engine.dispose()  # one pooled connection, used by each request below in turn
    first, alone = _pooled_connection_after(db, True)
    second, after = _pooled_connection_after(db, False)
    assert first is second and alone is True and after is False


def test_an_engine_set_to_autocommit_by_sqlalchemy_stays_so(db):
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import create_engine, select

    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(select(1))
        assert conn.connection.driver_connection.autocommit is True
    engine.dispose()


def test_a_read_only_view_runs_alone_and_leaves_its_thread_as_it_found_it(app, monkeypatch):
    # A worker's next request, or a command run after a request in the same thread, must
    # not inherit the view's "no transaction" (a SAVEPOINT fails without one).
    from flask import abort
    from flask.testing import FlaskClient

    from elearn.certification import views
    from elearn.hot_statements import stand_alone_connection

    seen = []

    def abort_and_note(status):
        seen.append(stand_alone_connection.get() is not None)
        abort(status)

    monkeypatch.setattr(views, "abort", abort_and_note)
    # The download (marked reads_only) refuses a visitor who is not signed in.
    assert FlaskClient(app).get("/certificates/NOPE.pdf").status_code == 404
    assert seen == [True]
    assert stand_alone_connection.get() is None  # this thread's context, after the request


def test_writes_in_a_read_only_view_run_in_a_transaction_once_asked_for(app, db):
    # The home page (reads_only) may still issue a certificate left unissued: its statements
    # so far ran alone, and in_transactions() must make the next ones a transaction.
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import select

    from elearn.extensions import in_transactions
    from elearn.hot_statements import StandAloneConnection, stand_alone_connection

    view_connection = StandAloneConnection(lambda: db.engine)
    token = stand_alone_connection.set(view_connection)
    try:
        db.session.execute(select(1))  # the signed-in person, read alone
        assert db.session.connection().connection.driver_connection.autocommit is True
        with in_transactions():
            db.session.execute(select(1))
            assert db.session.connection().connection.driver_connection.autocommit is False
            db.session.commit()
        db.session.execute(select(1))
        assert db.session.connection().connection.driver_connection.autocommit is True
    finally:
        db.session.rollback()
        stand_alone_connection.reset(token)
        view_connection.close()


def test_a_page_that_only_read_ends_its_transaction_with_a_commit_on_postgresql(db, signed_in):
    # On SQLite a ROLLBACK costs the same and forgets nothing: pages end as they did.
    from sqlalchemy import event

    client, _ = signed_in()
    db.session.remove()  # the request's transaction is its own, not one the test left open
    ended = []
    on_commit, on_rollback = (lambda _conn: ended.append("commit"),
                              lambda _conn: ended.append("rollback"))
    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "rollback", on_rollback)
    try:
        assert client.get("/policy").status_code == 200  # reads the person, cycle, policy
    finally:
        event.remove(db.engine, "commit", on_commit)
        event.remove(db.engine, "rollback", on_rollback)
    assert ended[:1] == ["commit" if db.engine.dialect.name == "postgresql" else "rollback"]


def _name_after_a_get(app, db, person_id, view, status=200):
    """Serve `view` as a GET of its own, check its status, and read the person's name as
    stored afterwards (in a new session)."""
    from elearn.models import Person

    path = f"/test-only/{view.__name__}"
    app.add_url_rule(path, path, view)
    db.session.remove()
    assert app.test_client().get(path).status_code == status
    db.session.remove()
    return db.session.get(Person, person_id).name


def test_a_get_that_changed_an_object_is_not_committed(app, db, make_person):
    from sqlalchemy import func, select

    from elearn.models import Person

    person_id = make_person(name="Kept Name").id

    def rename():  # changes an object, then reads (which flushes it), and never commits
        db.session.get(Person, person_id).name = "Changed By A GET"
        db.session.scalar(select(func.count(Person.id)))
        return "ok"

    assert _name_after_a_get(app, db, person_id, rename) == "Kept Name"


def test_a_get_that_wrote_with_a_statement_is_not_committed(app, db, make_person):
    from sqlalchemy import update

    from elearn.models import Person

    person_id = make_person(name="Kept Name").id

    def rename():
        db.session.execute(update(Person).where(Person.id == person_id)
                           .values(name="Changed By A GET"))
        return "ok"

    assert _name_after_a_get(app, db, person_id, rename) == "Kept Name"


def test_a_get_that_failed_after_reading_keeps_nothing_and_breaks_nothing(app, db, make_person):
    from elearn.models import Person

    person_id = make_person(name="Kept Name").id

    def fail():
        db.session.get(Person, person_id).name = "Changed By A GET"
        db.session.flush()
        raise RuntimeError("a page that fails")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert _name_after_a_get(app, db, person_id, fail, status=500) == "Kept Name"


@pytest.mark.skipif(not POSTGRES_URL, reason="psycopg's prepared statements: PostgreSQL only")
def test_postgresql_keeps_prepared_statements_across_pages_that_only_read(db, signed_in):
    # psycopg forgets them on every ROLLBACK (DEALLOCATE ALL), and prepares a statement only
    # from its sixth run: pages ending in ROLLBACK never had one prepared.
    client, _ = signed_in()
    db.session.remove()
    db.engine.dispose()  # one pooled connection, used by each request below in turn
    for _ in range(8):
        assert client.get("/policy").status_code == 200
    with db.engine.connect() as connection:
        prepared = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_prepared_statements").scalar()
    assert prepared > 0
