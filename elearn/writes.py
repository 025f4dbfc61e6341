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


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context) -> None:
    note_write(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
