"""Issued certificates: the stored PDF, its hash, and what it was made from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow


class Certificate(Base):
    """One track completed in one review cycle. Immutable once issued, except revocation."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("person_id", "cycle_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    track_id: Mapped[str] = mapped_column(String(100))
    # What the certificate says, as issued: later edits to people or content never alter it.
    holder_name: Mapped[str] = mapped_column(String(200))
    school_name: Mapped[str] = mapped_column(String(200))
    track_title: Mapped[str] = mapped_column(String(200))
    policy_title: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(64))
    completed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    template_version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # /verify finds files by it
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
