"""Extensions, created unbound and attached to the app in create_app()."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator

from flask import Flask, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from elearn.hot_statements import (
    StandAloneConnection,
    commit_each_statement,
    stand_alone_connection,
)
from elearn.models.base import Base
from elearn.sqlite_writers import QueuedWriterConnection
from elearn.writes import has_changes, watch_writes


class _Session(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session, on the view's own connection while the view's statements
    stand alone: its hot reads ran there before the session began, and a second connection
    from the pool cost PostgreSQL more than the reads saved (each statement prepared anew
    on two connections, and two server processes taking turns)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        alone = stand_alone_connection.get()
        if bind is None and alone is not None:
            return alone.connection()
        return super().get_bind(mapper, clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": _Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# Read-only requests (GET, HEAD) open deferred transactions so readers never queue
# behind writers; everything else begins IMMEDIATE on SQLite.
read_only_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "read_only_transaction", default=False
)


@event.listens_for(Engine, "do_connect")
def _sqlite_writers_queue(dialect, _record, _cargs, cparams) -> None:
    if dialect.name == "sqlite":
        cparams.setdefault("factory", QueuedWriterConnection)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (the pysqlite workaround in SQLAlchemy's docs),
    # so that we can make write transactions BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Views that only ever read (the check page), or whose one write is a single statement (the
# question page), can run each statement on its own: on PostgreSQL that saves the BEGIN and
# ROLLBACK (or COMMIT) round trips, half of a question page's. Set for the length of such a
# view, before its first statement, by `reads_only` or `each_statement_alone`.
statements_stand_alone: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "statements_stand_alone", default=False
)


# Whether the latest transaction begun in this context ran its statements alone: the end of
# a read-only request asks, and finding the connection to ask it costs more.
_last_begun_alone: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "_last_begun_alone", default=False
)


@event.listens_for(Engine, "begin")
def _on_begin(conn) -> None:
    if conn.dialect.name == "postgresql":
        # Decided at every transaction's start, so that a pooled connection never carries
        # one request's autocommit into the next; a connection SQLAlchemy itself set to
        # AUTOCOMMIT (an engine's isolation level) is left as it is.
        stand_alone = statements_stand_alone.get()
        commit_each_statement(conn.connection, stand_alone)
        _last_begun_alone.set(stand_alone)
        return
    if conn.dialect.name != "sqlite":
        return
    # A deferred transaction that reads and then writes fails at once with "database is
    # locked" when another writer got in first, whatever the busy timeout.
    # Straight to the driver: through SQLAlchemy's statement machinery, BEGIN cost as much
    # as the query a page then runs.
    driver_connection = conn.connection.driver_connection
    if read_only_transaction.get():
        driver_connection.execute("BEGIN")
    elif isinstance(driver_connection, QueuedWriterConnection):
        driver_connection.begin_write()
    else:
        driver_connection.execute("BEGIN IMMEDIATE")


def reads_only(view: Callable) -> Callable:
    """Mark a view that never writes: its GET and HEAD run without a transaction on
    PostgreSQL. Goes above login_required, which reads the signed-in person."""
    return _statements_alone(view, methods=("GET", "HEAD"))


def each_statement_alone(view: Callable) -> Callable:
    """Mark a view whose every statement is whole on its own, its one write included (a
    single statement, atomic by itself): it runs without a transaction on PostgreSQL
    whatever the method. Goes above login_required."""
    return _statements_alone(view, methods=None)


def _statements_alone(view: Callable, methods: tuple[str, ...] | None) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if methods is not None and request.method not in methods:
            return view(*args, **kwargs)
        # Only for this view: whatever runs next in this thread (the next request, a
        # command) begins its transactions as usual.
        token = statements_stand_alone.set(True)
        connection = StandAloneConnection(db.engine)
        connection_token = stand_alone_connection.set(connection)
        try:
            return view(*args, **kwargs)
        finally:
            stand_alone_connection.reset(connection_token)
            statements_stand_alone.reset(token)
            connection.close()

    return wrapped


@contextlib.contextmanager
def in_transactions() -> Iterator[None]:
    """Inside a `reads_only` view, for the rare write it must make after all (a certificate
    left unissued): statements in this block run in transactions again."""
    if statements_stand_alone.get() and db.session().in_transaction():
        # Its statements so far ran on their own: end that, so that the block's first
        # statement begins a transaction (the choice is made when one begins).
        db.session.commit()
    token = statements_stand_alone.set(False)
    # The block's statements on a connection of the session's, the hot reads too.
    connection_token = stand_alone_connection.set(None)
    try:
        yield
    finally:
        stand_alone_connection.reset(connection_token)
        statements_stand_alone.reset(token)


def end_reads_with_commit(app: Flask) -> None:
    """On PostgreSQL, end a read-only request's transaction with COMMIT rather than
    Flask-SQLAlchemy's ROLLBACK. psycopg answers every ROLLBACK by forgetting each statement
    it prepared on the connection (DEALLOCATE ALL, and five runs of each before it prepares
    it again), so every HR or policy page cost the learners' pages served next on that
    connection their prepared statements. A COMMIT of a transaction that wrote nothing is
    as cheap. SQLite keeps nothing between transactions: its pages end as before."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    watch_writes()

    @app.teardown_request
    def _commit_a_read(error: BaseException | None) -> None:
        if (error is not None or request.method not in ("GET", "HEAD")
                or not read_only_transaction.get() or not db.session.registry.has()):
            return
        session = db.session()
        if not session.in_transaction() or _last_begun_alone.get():
            return  # nothing to end, or its statements ran alone: no transaction to end
        if not session.is_active or has_changes(session):
            return  # something a GET must not keep: the rollback ends it
        try:
            session.commit()
        except Exception:  # a lost connection: the usual rollback at the end cleans up
            logging.getLogger(__name__).exception("ending a read-only transaction failed")


__all__ = ["db", "migrate", "login_manager", "csrf", "read_only_transaction",
           "statements_stand_alone", "reads_only", "each_statement_alone", "in_transactions",
           "end_reads_with_commit"]
