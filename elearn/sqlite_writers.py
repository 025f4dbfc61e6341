"""SQLite write transactions taking turns through a lock file, with short waits.

SQLite lets one writer at a time into a database file. A second writer finding the file
locked is put to sleep by SQLite's busy handler for 1 ms, then 2, then 5, 10 and longer,
however soon the first writer finishes; on an INSET morning, two workers saving answers
spent more time asleep this way than working (an answer takes about a millisecond).
Writers here first take an exclusive `flock` on a file beside the database, trying again
after 50 µs, then 100, doubling to at most 1 ms, and only then BEGIN IMMEDIATE, which
then finds the database free. Readers never take it (WAL lets them read beside a
writer). The kernel drops the lock if a process dies.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

# As long as SQLite's own busy timeout (PRAGMA busy_timeout in extensions.py).
WAIT_SECONDS = 30.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.00005, 0.001

# Turns held, by thread. A thread already writing through another connection would wait
# for itself: it goes straight to BEGIN IMMEDIATE and SQLite's busy timeout, as before.
_turns_held: dict[int, int] = {}


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions queue on `<database>-writers`."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        self._queue_fd: int | None = None
        self._holder: int | None = None  # the thread that took this connection's turn
        if path and path != ":memory:" and not path.startswith("file:"):
            self._queue_fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def begin_write(self) -> None:
        """BEGIN IMMEDIATE once this connection's turn to write has come."""
        if self._queue_fd is not None and not _turns_held.get(threading.get_ident()):
            self._take_turn()
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._end_turn()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        try:
            self._end_turn()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
        finally:
            super().close()

    def _take_turn(self) -> None:
        deadline, pause = time.monotonic() + WAIT_SECONDS, _FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
        self._holder = threading.get_ident()
        _turns_held[self._holder] = _turns_held.get(self._holder, 0) + 1

    def _end_turn(self) -> None:
        if self._holder is not None:
            left = _turns_held.pop(self._holder) - 1
            if left:
                _turns_held[self._holder] = left
            self._holder = None
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
