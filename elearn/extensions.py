"""Extensions, created unbound and attached to the app in create_app()."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator

from flask import Flask, g, request
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
        if bind is not None or alone is None:
            return super().get_bind(mapper, clause, bind=bind, **kwargs)
        if self._one_database:
            return alone.connection()
        # With several (SQLALCHEMY_BINDS), only what lives in the view's database goes
        # to the view's connection.
        engine = super().get_bind(mapper, clause, **kwargs)
        return alone.connection() if engine is alone.engine else engine

    @functools.cached_property
    def _one_database(self) -> bool:
        return len(self._db.engines) == 1


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
# ROLLBACK (or COMMIT) round trips, half of a question page's. Such a view, marked by
# `reads_only` or `each_statement_alone`, has a connection of its own for its length
# (hot_statements.stand_alone_connection): that it has one is what makes its statements
# stand alone.


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
        stand_alone = stand_alone_connection.get() is not None
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
        connection = StandAloneConnection(_engine)
        _close_when_the_session_has(connection)
        # Only for this view: whatever runs next in this thread (the next request, a
        # command) begins its transactions as usual.
        token = stand_alone_connection.set(connection)
        try:
            return view(*args, **kwargs)
        finally:
            stand_alone_connection.reset(token)

    return wrapped


def _engine() -> Engine:
    return db.engine


def _close_when_the_session_has(connection: StandAloneConnection) -> None:
    # The session may hold a transaction on the view's connection until the app context
    # ends: close_view_connections closes the connection after the session.
    g.setdefault("_elearn_view_connections", []).append(connection)


def close_view_connections(app: Flask) -> None:
    """Give each stand-alone view's connection back to the pool when the app context ends,
    after Flask-SQLAlchemy has closed the session that may hold a transaction on it. Call
    before `db.init_app`: Flask runs these teardowns last registered, first run."""
    if "sqlalchemy" in app.extensions:
        raise RuntimeError("close_view_connections must be registered before db.init_app")

    @app.teardown_appcontext
    def _close_view_connections(_error: BaseException | None) -> None:
        for connection in g.pop("_elearn_view_connections", ()):
            connection.close()


@contextlib.contextmanager
def in_transactions() -> Iterator[None]:
    """Inside a `reads_only` view, for the rare write it must make after all (a certificate
    left unissued): statements in this block run in transactions again, hot reads too, on
    a connection of the session's own."""
    if stand_alone_connection.get() is not None and db.session().in_transaction():
        # Its statements so far ran on their own: end that, so that the block's first
        # statement begins a transaction (the choice is made when one begins).
        db.session.commit()
    token = stand_alone_connection.set(None)
    try:
        yield
    finally:
        stand_alone_connection.reset(token)


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


__all__ = ["db", "migrate", "login_manager", "csrf", "read_only_transaction", "reads_only",
           "each_statement_alone", "in_transactions", "close_view_connections",
           "end_reads_with_commit"]
