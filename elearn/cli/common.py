"""What the commands share: the audit trail for a command run on the server."""

from __future__ import annotations

from elearn.audit import Actor
from elearn.extensions import db


def audit(action: str, subject: str | None, **details) -> None:
    """Add an event to the audit trail for a command run on the server (no person, no
    address: "cli"); it is committed with the change."""
    Actor.SYSTEM.record(db.session, action, subject, **details)
