"""SQLite writers take turns through a lock file, and are woken as soon as it is free."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
import time

import pytest

from elearn import sqlite_writers
from elearn.sqlite_writers import QueuedWriterConnection


def _connect(path) -> QueuedWriterConnection:
    connection = sqlite3.connect(path, factory=QueuedWriterConnection, isolation_level=None,
                                 check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.sqlite"
    first = _connect(path)
    first.execute("CREATE TABLE answer (n INTEGER)")
    first.close()
    return path


def _write_in_thread(connection, n: int, done: threading.Event) -> threading.Thread:
    def write():
        connection.begin_write()
        connection.execute("INSERT INTO answer VALUES (?)", (n,))
        connection.commit()
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_then_writes_at_once(database):
    first, second = _connect(database), _connect(database)
    first.begin_write()
    first.execute("INSERT INTO answer VALUES (1)")
    done = threading.Event()
    thread = _write_in_thread(second, 2, done)
    assert not done.wait(0.3)  # queued behind the first writer
    committed_at = time.monotonic()
    first.commit()
    assert done.wait(5)
    # Woken within a few milliseconds, not after SQLite's growing sleeps.
    assert time.monotonic() - committed_at < 0.05
    thread.join()
    assert [n for (n,) in first.execute("SELECT n FROM answer ORDER BY n")] == [1, 2]


def test_a_rollback_ends_the_writers_turn(database):
    first, second = _connect(database), _connect(database)
    first.begin_write()
    first.execute("INSERT INTO answer VALUES (1)")
    first.rollback()
    second.begin_write()  # would wait if the rollback had kept the turn
    second.commit()


def test_closing_a_connection_mid_write_ends_its_turn(database):
    first, second = _connect(database), _connect(database)
    first.begin_write()
    first.close()
    second.begin_write()
    second.commit()


def test_a_reader_does_not_wait_for_a_writer(database):
    writer, reader = _connect(database), _connect(database)
    writer.begin_write()
    writer.execute("INSERT INTO answer VALUES (1)")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM answer").fetchone() == (0,)
    reader.rollback()
    writer.commit()


def test_a_writer_gives_up_after_the_wait_with_sqlites_own_error(database, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 0.2)
    first, second = _connect(database), _connect(database)
    holding, release = threading.Event(), threading.Event()

    def hold():
        first.begin_write()
        holding.set()
        release.wait(5)
        first.commit()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.begin_write()
    assert time.monotonic() - started < 2  # the queue's wait, not SQLite's 5 s
    release.set()
    thread.join()
    second.begin_write()  # its failed wait left nothing behind
    second.commit()


def test_one_thread_writing_through_two_connections_is_left_to_sqlite(database):
    # Waiting on the lock file for itself would hang for ever: the second connection goes
    # straight to SQLite, whose busy timeout ends the wait with its usual error.
    first, second = _connect(database), _connect(database)
    second.execute("PRAGMA busy_timeout=100")
    first.begin_write()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.begin_write()
    first.commit()


def test_the_lock_file_is_readable_by_others_so_no_user_shuts_out_another(database):
    # Whichever user opens the database first creates the file (a command run as root, the
    # app as its own user): a file private to the first would refuse every other one.
    _connect(database).close()
    assert os.stat(f"{database}-writers").st_mode & 0o044 == 0o044


def test_a_lock_file_that_cannot_be_opened_leaves_writers_to_sqlite(tmp_path):
    path = tmp_path / "unqueued.sqlite"
    os.mkdir(f"{path}-writers")  # in the way: opening it as a file fails
    connection = _connect(path)
    connection.begin_write()
    connection.execute("CREATE TABLE answer (n INTEGER)")
    connection.commit()


def test_a_connection_dropped_mid_write_without_closing_lets_the_next_writer_in(
        database, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 2)
    dropped = _connect(database)
    dropped.begin_write()
    del dropped
    gc.collect()  # as when a request's connection is lost without commit or close
    done = threading.Event()
    thread = _write_in_thread(_connect(database), 1, done)
    assert done.wait(5)
    thread.join()
