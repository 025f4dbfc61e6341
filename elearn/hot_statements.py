"""The few statements every signed-in request or every answer runs, sent straight to the
database driver.

SQLAlchemy Core spends about 40 µs of Python around each statement (an execution context,
parameter and result objects) on queries SQLite answers in 5, and the signed-in person is
read on every request: on the question page that was a fifth of the time. A statement
here is still written with SQLAlchemy and compiled by it, once per database, with its own
type conversions, and a driver error is raised as SQLAlchemy's (a lost server connection
invalidates the pool as any other statement's would). Unlike other statements, these are
not seen by SQLAlchemy's event hooks and logging.

Where a statement runs depends on the view. Usually on the session's connection, inside
the request's transaction. In a view whose statements each stand alone (`reads_only`,
`each_statement_alone`), the view has a connection of its own (`StandAloneConnection`),
which its session uses too (extensions): a hot read there runs on it without the session,
whose transaction such a read does not need and which cost more than the read (a Session,
its transaction, BEGIN and ROLLBACK: about 40 µs of a question page). A write goes through
the session, so that the session knows it has something to commit, unless its caller asks
for `execute_alone`: a write that is a whole transaction by itself (an answer's save on
PostgreSQL).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement

from elearn.writes import note_write


@dataclass
class _Compiled:
    sql: str
    positions: Sequence[str] | None  # bind names in order, for drivers taking "?"
    bind: Callable[[dict], dict]  # defaults filled in, values converted for the driver
    columns: Sequence[Any]  # the selected columns' types
    row: type  # a named tuple of the selected columns' names
    writes: bool  # an INSERT, UPDATE or DELETE
    options: dict[str, Any]  # the driver's execute() options
    # (position, function) of each column the driver's values are converted for
    convert: list[tuple[int, Callable]] | None = field(default=None)


def commit_each_statement(pooled: PoolProxiedConnection, alone: bool) -> None:
    """On PostgreSQL, make a pooled connection commit each statement by itself (autocommit),
    or not; kept with the connection, so that the next to use it can tell."""
    if alone != pooled.info.get("stands_alone", False):
        pooled.driver_connection.autocommit = alone
        pooled.info["stands_alone"] = alone


class StandAloneConnection:
    """The connection of a view whose statements stand alone, shared by its hot reads and
    its session: taken when first asked for, let go by `close` (after the request's session
    has closed). On PostgreSQL it commits each statement by itself until a transaction
    begins on it; on SQLite a statement outside BEGIN is its own transaction already. A view
    that never reads costs nothing: the engine too is found on first use.

    Let go, an idle connection is kept for the next such view of the process's main thread
    (`_kept`) rather than given back to the pool: taking one from the pool and giving it
    back cost PostgreSQL's question page 45 µs of its 740 (the pool's queue and events, the
    reset's rollback, SQLAlchemy's Connection made anew)."""

    def __init__(self, engine_of: Callable[[], Engine]) -> None:
        self._engine_of = engine_of
        self._engine: Engine | None = None
        self._connection: Connection | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._engine_of()
        return self._engine

    @property
    def dialect(self) -> Dialect:
        return self.engine.dialect

    def connection(self) -> Connection:
        if self._connection is None:
            connection = _take_kept(self.engine) or self.engine.connect()
            if self.dialect.name == "postgresql":
                commit_each_statement(connection.connection, True)
            self._connection = connection
        return self._connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not _keep(self.engine, connection):
            connection.close()


# One idle connection per engine, kept between the stand-alone views of the main thread.
# Only there: gunicorn's sync workers serve each request in their main thread, one at a
# time, where a thread of its own per request (the development server's) would strand one
# in every thread it ends.
_kept: dict[Engine, Connection] = {}


def _in_main_thread() -> bool:
    # Asked at each call: a worker forked from a preloaded app has a main thread of its own.
    return threading.current_thread() is threading.main_thread()


def _take_kept(engine: Engine) -> Connection | None:
    """The connection kept for this thread, unless the pool would not hand it out again."""
    if not _in_main_thread():
        return None
    connection = _kept.pop(engine, None)
    if connection is None:
        return None
    # As the pool decides at each checkout (pool/base.py, get_connection): older than
    # pool_recycle, or made before the pool was invalidated (a lost server, seen on
    # another of its connections). Given back, the pool replaces it.
    record, pool = connection.connection._connection_record, engine.pool
    if record._is_hard_or_soft_invalidated() or \
            (pool._recycle > -1 and time.time() - record.starttime > pool._recycle):
        connection.close()
        return None
    return connection


def _keep(engine: Engine, connection: Connection) -> bool:
    """Keep the connection for the next view, if it is idle and this is the main thread,
    unless the pool pings each connection it hands out (pool_pre_ping: then every request's
    is pinged, as asked)."""
    if not _in_main_thread() or engine in _kept \
            or engine.pool._pre_ping \
            or connection.closed or connection.invalidated or connection.in_transaction() \
            or not _driver_idle(connection):
        return False
    _kept[engine] = connection
    return True


def _driver_idle(connection: Connection) -> bool:
    """Whether the driver's connection is outside any transaction (SQLAlchemy's may not know
    of one begun by a statement sent straight to the driver)."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return not driver.in_transaction
    if connection.dialect.driver == "psycopg":
        return driver.info.transaction_status.name == "IDLE"
    return False


@event.listens_for(Engine, "engine_disposed")
def _let_go_of_kept(engine: Engine) -> None:
    """An engine disposed of (its database about to be dropped, or the app stopping) closes
    its pool's connections: the kept one too. Closed outright: given back, it would go to
    the pool just replaced, where nothing would ever close it."""
    kept = _kept.pop(engine, None)
    if kept is not None:
        kept.invalidate()
        kept.close()


# The connection of the view running now if its statements stand alone, else None: whether
# they do is this, and nothing else (set by extensions for the length of such a view).
stand_alone_connection: contextvars.ContextVar[StandAloneConnection | None] = (
    contextvars.ContextVar("stand_alone_connection", default=None))


class HotStatement:
    """A Core statement compiled once per database and run on the driver's connection."""

    def __init__(self, statement: ClauseElement | None = None, *,
                 build: Callable[[str], ClauseElement] | None = None,
                 binary: bool = False) -> None:
        """One statement for every database, or `build(dialect_name)` for a statement whose
        SQL depends on the database (an INSERT ... ON CONFLICT), run the first time it
        runs on each. `binary`: on PostgreSQL, rows come in the driver's binary format,
        where a bytea (a certificate's PDF) is its bytes rather than hex text twice as
        long (measured for a 26 KB PDF: 55 µs of the worker's CPU and 120 µs of waiting
        less)."""
        if (statement is None) == (build is None):
            raise TypeError("a hot statement takes a statement or a build function")
        self._binary = binary
        self._build = build or (lambda _dialect: statement)
        self._compiled: dict[str, _Compiled] = {}

    def statement_for(self, dialect_name: str) -> ClauseElement:
        """The statement as written for one database, to run the usual way (tests do)."""
        return self._build(dialect_name)

    def rows(self, session: Session, params: dict[str, Any]) -> list[tuple]:
        """The statement's rows: named tuples, values converted as SQLAlchemy would."""
        connection = self._connection_for(session)
        compiled = self._compiled_for(connection.dialect)
        cursor = self._run(session, connection, compiled, params)
        rows = cursor.fetchall()
        if compiled.convert is None:  # the driver's type codes are known once it has run
            # Only the columns that need it: a generator step for each of a row's values
            # (twenty on the download's, one of them converted) cost three times as much.
            compiled.convert = [
                (i, fn) for i, (type_, described) in enumerate(
                    zip(compiled.columns, cursor.description, strict=True))
                if (fn := type_._cached_result_processor(connection.dialect, described[1]))]
        convert, make = compiled.convert, compiled.row._make
        if not convert:
            return [make(row) for row in rows]
        converted = []
        for row in rows:
            values = list(row)
            for i, fn in convert:  # every value, None too, as SQLAlchemy's results do
                values[i] = fn(values[i])
            converted.append(make(values))
        return converted

    def first(self, session: Session, params: dict[str, Any]) -> tuple | None:
        """The first row, or None if there is none."""
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def execute(self, session: Session, params: dict[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        connection = session.connection()
        cursor = self._run(session, connection, self._compiled_for(connection.dialect), params)
        return cursor.rowcount

    def execute_alone(self, alone: StandAloneConnection, params: dict[str, Any]) -> int:
        """execute(), on a view's own connection and past its session, for a write that is
        a whole transaction by itself (the view's statements stand alone): the session has
        nothing to begin or commit."""
        connection = alone.connection()
        cursor = self._run(None, connection, self._compiled_for(connection.dialect), params)
        return cursor.rowcount

    def _connection_for(self, session: Session) -> Connection:
        """For a read in a view whose statements stand alone, the view's connection, without
        its session; else the session's connection."""
        alone = stand_alone_connection.get()
        if alone is not None and not self._compiled_for(alone.dialect).writes:
            return alone.connection()
        return session.connection()

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(
                self.statement_for(dialect.name), dialect,
                binary=self._binary and dialect.driver == "psycopg")
        return compiled

    @staticmethod
    def _run(session: Session | None, connection: Connection, compiled: _Compiled,
             params: dict[str, Any]):
        if compiled.writes and session is not None:
            note_write(session)
        values = compiled.bind(params)
        if compiled.positions is not None:
            values = tuple(values[name] for name in compiled.positions)
        pooled = connection.connection
        driver_connection = pooled.dbapi_connection
        # One cursor per driver connection, kept with it: making a cursor (psycopg copies
        # the connection's adapters into each) cost a tenth of a statement. Every run
        # fetches all it returns, so the cursor is free again when the next one starts.
        kept = pooled.info.get("hot_statement_cursor")
        if kept is None or kept[0] is not driver_connection:
            kept = pooled.info["hot_statement_cursor"] = (driver_connection,
                                                          driver_connection.cursor())
        cursor = kept[1]
        try:
            cursor.execute(compiled.sql, values, **compiled.options)
        except connection.dialect.loaded_dbapi.Error as error:
            lost = connection.dialect.is_disconnect(error, driver_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql, values, error, connection.dialect.loaded_dbapi.Error,
                dialect=connection.dialect, connection_invalidated=lost) from error
        return cursor


def _compile(statement: ClauseElement, dialect: Dialect, binary: bool) -> _Compiled:
    # As SQLAlchemy's own execution context does (engine/default.py, _init_compiled).
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params:
        raise ValueError("a hot statement cannot take a list of values (IN): "
                         "its SQL is compiled once")
    if compiled.escaped_bind_names:
        raise ValueError("a hot statement's parameter names must need no quoting: "
                         f"{sorted(compiled.escaped_bind_names)}")
    processors = compiled._bind_processors

    def bind(params: dict) -> dict:
        values = compiled.construct_params(params, escape_names=False)
        for name, processor in processors.items():
            if name in values:  # None too, as SQLAlchemy does (JSON makes it 'null')
                values[name] = processor(values[name])
        return values

    columns = [column[3] for column in compiled._result_columns]
    row = namedtuple("Row", [column[0] for column in compiled._result_columns], rename=True)
    return _Compiled(compiled.string, compiled.positiontup if compiled.positional else None,
                     bind, columns, row,
                     writes=bool(compiled.isinsert or compiled.isupdate or compiled.isdelete),
                     options={"binary": True} if binary else {})
