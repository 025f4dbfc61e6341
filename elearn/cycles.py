"""Review cycles: which one is current and how long is left. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.models import ReviewCycle


def long_date(value: date | datetime | None) -> str:
    """25 November 2026: dates as the Trust writes them, in pages and on certificates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def current_cycle(session: Session) -> ReviewCycle | None:
    """The cycle opened by the latest recorded review."""
    return session.scalar(
        select(ReviewCycle).order_by(ReviewCycle.reviewed_on.desc(), ReviewCycle.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Deadline:
    review_date: date
    days_left: int

    @property
    def overdue(self) -> bool:
        """The review date has passed without a new review: no certificates can be issued."""
        return self.days_left < 0

    @property
    def words(self) -> str:
        if self.days_left < 0:
            n = -self.days_left
            return f"{n} day{'s' if n != 1 else ''} overdue"
        if self.days_left == 0:
            return "due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def deadline(cycle: ReviewCycle, today: date) -> Deadline:
    """Training is due by the end of the review date itself."""
    return Deadline(cycle.review_date, (cycle.review_date - today).days)


def previous_cycle(session: Session, cycle: ReviewCycle) -> ReviewCycle | None:
    """The cycle the given one replaced, if any."""
    return session.scalar(
        select(ReviewCycle).where(
            (ReviewCycle.reviewed_on < cycle.reviewed_on)
            | ((ReviewCycle.reviewed_on == cycle.reviewed_on) & (ReviewCycle.id < cycle.id)))
        .order_by(ReviewCycle.reviewed_on.desc(), ReviewCycle.id.desc()).limit(1))
