"""Recording to the audit trail. No Flask here: callers pass who and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from elearn.models import AuditEvent, utcnow


def record(session: Session, action: str, *, actor_id: int | None, address: str | None,
           subject: str | None = None, at: datetime | None = None, **details: Any) -> None:
    """Append one event; it is committed with the change it describes."""
    session.add(AuditEvent(action=action, actor_id=actor_id, address=address, subject=subject,
                           at=at or utcnow(), details=details))


@dataclass(frozen=True)
class Actor:
    """Who does something, as the audit trail records it: a person from an address, or the
    server itself ("cli") when a command is run."""

    person_id: int | None
    address: str | None

    SYSTEM: ClassVar[Actor]

    def record(self, session: Session, action: str, subject: str | None = None,
               **details: Any) -> None:
        """Append an event done by this actor; it is committed with the change."""
        record(session, action, actor_id=self.person_id, address=self.address,
               subject=subject, **details)


Actor.SYSTEM = Actor(None, "cli")
