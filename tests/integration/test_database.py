"""The database the suite runs on is the one asked for, set up as production expects."""

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
