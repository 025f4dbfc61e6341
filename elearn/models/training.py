"""Attempts at units, the answers given, and their one result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow


class Attempt(Base):
    """One try at a unit in a review cycle, with the questions drawn and options shuffled."""

    __tablename__ = "attempt"
    __table_args__ = (
        # Two clicks on "Start" race for the same number; the database lets one win.
        UniqueConstraint("person_id", "cycle_id", "unit_id", "number"),
        # With the unit: the dashboard's "which tracks has each person begun" reads the
        # index alone, in person order, without the table or a sort.
        Index("ix_attempt_cycle_person_unit", "cycle_id", "person_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    unit_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    # The drawn question ids in order, and per question the shuffled option ids.
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    option_order: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    pass_mark: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set with the result, in the same transaction; on the row so that a save can refuse a
    # submitted attempt by the row alone (quiz.saving), and pages read it without the result.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", lazy="selectin"
    )
    # Joined: the one-to-one result comes in the same query as the attempt.
    result: Mapped[AttemptResult | None] = relationship(
        back_populates="attempt", lazy="joined", uselist=False
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    def answer_for(self, question_id: str) -> Answer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)

    def response_for(self, question_id: str) -> list[str] | None:
        answer = self.answer_for(question_id)
        return answer.response if answer else None


class Answer(Base):
    """The learner's latest response to one question of an attempt."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    response: Mapped[list[str]] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AttemptResult(Base):
    """The graded result of a submitted attempt: its primary key makes it exactly one."""

    __tablename__ = "attempt_result"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    # Per question: {"question_id": 1 or 0}
    marks: Mapped[dict[str, int]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="result")


class Completion(Base):
    """A person completed a track in a review cycle (every unit passed before the review date)."""

    __tablename__ = "completion"
    __table_args__ = (UniqueConstraint("person_id", "cycle_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    track_id: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyAcknowledgement(Base):
    """A person confirmed they have read and understood a version of the policy, in a cycle."""

    __tablename__ = "policy_acknowledgement"
    __table_args__ = (UniqueConstraint("person_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    policy_version: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarriedOverPass(Base):
    """A unit passed in an earlier cycle that counts in this one: the review retrained only
    on what changed, and this unit cites nothing that did."""

    __tablename__ = "carried_over_pass"
    __table_args__ = (UniqueConstraint("person_id", "cycle_id", "unit_id"),
                      Index("ix_carried_over_cycle_person", "cycle_id", "person_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    unit_id: Mapped[str] = mapped_column(String(100))
    # The attempt that passed it, in its own (earlier) cycle.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    carried_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(lazy="joined")

    @property
    def passed_at(self) -> datetime | None:
        """When the original attempt was submitted."""
        return self.attempt.result.submitted_at if self.attempt.result else None
