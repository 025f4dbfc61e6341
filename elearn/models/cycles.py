"""Review cycles: each recorded policy review opens one; its review date is everyone's deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow


class ReviewCycle(Base):
    __tablename__ = "review_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(64))
    reviewed_on: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # "all": every unit is due again; "changed": only units citing a changed or added
    # clause, the others carried over from the cycle before.
    retraining: Mapped[str] = mapped_column(String(16), default="all", server_default="all")


@dataclass(frozen=True)
class CycleInForce:
    """A review cycle's values alone, read without the ORM: for the quiz's answer and start,
    which only compare ids and dates (loading a ReviewCycle was a fifth of an answer)."""

    id: int
    policy_id: str
    policy_version: str
    reviewed_on: date
    review_date: date
    retraining: str


# What the rules that only read a cycle accept.
AnyCycle = ReviewCycle | CycleInForce
