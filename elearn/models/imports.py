"""Staff imports: the uploaded file is kept on the server between preview and confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow


class StaffImport(Base):
    """An uploaded staff CSV. Confirming re-validates the stored text; the client re-sends
    nothing but this row's id."""

    __tablename__ = "staff_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for an import run from the command line.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    deactivate_leavers: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
