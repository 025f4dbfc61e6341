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
import logging
import os
import sqlite3
import threading
import time
import weakref

# As long as SQLite's own busy timeout (PRAGMA busy_timeout in extensions.py).
WAIT_SECONDS = 30.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.00005, 0.001

# Turns held, by thread. A thread already writing through another connection would wait
# for itself: it goes straight to BEGIN IMMEDIATE and SQLite's busy timeout, as before.
_turns_held: dict[int, int] = {}

log = logging.getLogger(__name__)


class _Queue:
    """A connection's descriptor on the lock file, and the thread holding its turn: kept
    apart from the connection so that a finalizer can let go of both if the connection
    is dropped without being closed."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.holder: int | None = None

    def take_turn(self) -> None:
        deadline, pause = time.monotonic() + WAIT_SECONDS, _FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
        self.holder = threading.get_ident()
        _turns_held[self.holder] = _turns_held.get(self.holder, 0) + 1

    def end_turn(self) -> None:
        if self.holder is not None:
            left = _turns_held.pop(self.holder, 1) - 1
            if left:
                _turns_held[self.holder] = left
            self.holder = None
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.end_turn()
        os.close(self.fd)


def _open_queue(database) -> _Queue | None:
    """The queue beside a database file; None for an in-memory or URI database, or if the
    lock file cannot be opened (the connection then relies on SQLite's busy timeout)."""
    path = os.fspath(database)
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    try:
        # Read-only is enough for flock; readable by others, so that whichever user opens
        # the database first (a command run as another user) shuts no one else out.
        fd = os.open(f"{path}-writers", os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        log.warning("SQLite writers will not queue (%s): SQLite's busy timeout instead", exc)
        return None
    return _Queue(fd)


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions queue on `<database>-writers`."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._queue = _open_queue(database)
        if self._queue is not None:
            self._release = weakref.finalize(self, self._queue.close)

    def begin_write(self) -> None:
        """BEGIN IMMEDIATE once this connection's turn to write has come."""
        if self._queue is not None and not _turns_held.get(threading.get_ident()):
            self._queue.take_turn()
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
            if self._queue is not None:
                self._release()  # once: later calls do nothing
        finally:
            super().close()

    def _end_turn(self) -> None:
        if self._queue is not None:
            self._queue.end_turn()
