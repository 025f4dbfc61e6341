"""Anonymous running totals of first-attempt answers, behind the understanding pages.

Counting straight from `answer` means sorting every answer ever given (600,000 at 20,000
people) on each page view: seconds on SQLite. Instead each submitted first attempt is added,
once, to totals per question, school, roles and response (elearn.understanding.tally); the
pages add those totals up. No row here names or identifies a person.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base


class QuestionTally(Base):
    """First-attempt answers alike in everything the pages break figures down by."""

    __tablename__ = "question_tally"
    __table_args__ = (UniqueConstraint(
        "cycle_id", "unit_id", "question_id", "content_fingerprint", "school_id",
        "role_staff", "role_leader", "role_governor", "response", "mark",
        name="uq_question_tally_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int] = mapped_column(Integer)
    # The roles the people held when their attempt was counted (1 or 0 each).
    role_staff: Mapped[int] = mapped_column(Integer)
    role_leader: Mapped[int] = mapped_column(Integer)
    role_governor: Mapped[int] = mapped_column(Integer)
    # The response as stored (JSON text), and the mark it earned (1 or 0).
    response: Mapped[str] = mapped_column(String(2000))
    mark: Mapped[int] = mapped_column(Integer)
    answers: Mapped[int] = mapped_column(Integer)
    # Sums of the whole attempt's score and its square: enough for the discrimination.
    score_sum: Mapped[int] = mapped_column(Integer)
    score_sq_sum: Mapped[int] = mapped_column(Integer)


class TalliedAttempt(Base):
    """A submitted first attempt already added to the totals (never added twice)."""

    __tablename__ = "tallied_attempt"

    # No foreign key: the totals stay valid whatever later happens to the attempt.
    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The refresh that claimed it: each refresh adds only the attempts it claimed.
    batch: Mapped[str] = mapped_column(String(32), index=True)
