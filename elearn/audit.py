"""Recording to the audit trail. No Flask here: callers pass who and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from elearn.models import AuditEvent, utcnow


def record(session: Session, action: str, *, actor_id: int | None, address: str | None,
           subject: str | None = None, at: datetime | None = None, **details: Any) -> None:
    """Append one event; it is committed with the change it describes."""
    session.add(AuditEvent(action=action, actor_id=actor_id, address=address, subject=subject,
                           at=at or utcnow(), details=details))
