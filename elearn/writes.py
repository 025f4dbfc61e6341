"""Whether a session's transaction has written anything, so that a read-only request's
transaction may end with COMMIT (see extensions.end_reads_with_commit) without keeping
something a GET changed by accident.

Written means: the unit of work flushed, the session ran an INSERT, UPDATE or DELETE, or a
hot statement that writes ran on its connection. Forgotten when the transaction ends.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

_WROTE = "elearn_wrote"


def note_write(session: Session) -> None:
    """Record that the session's transaction has written."""
    session.info[_WROTE] = True


def has_written(session: Session) -> bool:
    """Whether the session's transaction has written since it began."""
    return _WROTE in session.info


def has_changes(session: Session) -> bool:
    """Whether ending the session's transaction with COMMIT would keep anything: a write
    made, or an object added, changed or deleted and not yet flushed."""
    return has_written(session) or bool(session.new or session.dirty or session.deleted)


def watch_writes() -> None:
    """Start noting writes in every session (once per process): only the PostgreSQL
    teardown that COMMITs reads asks, so SQLite's requests never pay for the listeners."""
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "do_orm_execute", _executed)
        event.listen(Session, "after_transaction_end", _ended)


def _flushed(session: Session, _flush_context) -> None:
    note_write(session)


def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
