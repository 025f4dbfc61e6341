"""Recording to the audit trail. No Flask here: callers pass who and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import Session

from elearn.hot_statements import HotStatement
from elearn.models import AuditEvent, utcnow

# A row written at once, in the caller's transaction, rather than an object the unit of
# work flushes at commit: its flush cost more than the row (a tenth of a sign-in).
# inline(): no RETURNING of the new id, which nothing reads.
_APPEND = HotStatement(insert(AuditEvent.__table__).inline().values(
    {name: bindparam(name) for name in ("at", "actor_id", "action", "subject", "address",
                                        "details")}))


def record(session: Session, action: str, *, actor_id: int | None, address: str | None,
           subject: str | None = None, at: datetime | None = None, **details: Any) -> None:
    """Append one event; it is committed (or rolled back) with the change it describes."""
    _APPEND.execute(session, {"at": at or utcnow(), "actor_id": actor_id, "action": action,
                              "subject": subject, "address": address, "details": details})


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
