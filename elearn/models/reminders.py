"""Reminders sent to people who have not completed their training, one row per email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow

MANUAL = "manual"


class ReminderLog(Base):
    """One reminder emailed to one person in one review cycle.

    Automatic kinds ("30-days", "14-days", "7-days", "1-day", "overdue") are unique per
    person and cycle, enforced by a partial unique index, so a reminder is sent at most once
    however often the daily job runs. Reminders HR sends by hand (kind "manual") are outside
    that index and may repeat.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        Index("uq_reminder_log_automatic", "person_id", "cycle_id", "kind", unique=True,
              sqlite_where=text("kind != 'manual'"),
              postgresql_where=text("kind != 'manual'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # True when no mail server was set up: the email was only written to the server's log,
    # never sent, and the person's page says so.
    logged_only: Mapped[bool] = mapped_column(default=False, server_default=false())
