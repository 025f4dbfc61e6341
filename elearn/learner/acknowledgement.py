"""Reading and acknowledging the policy version in force, once per review cycle. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.cycles.rules import deadline_passed
from elearn.hot_statements import HotStatement
from elearn.models import Person, PolicyAcknowledgement, ReviewCycle


class AcknowledgementClosed(ValueError):
    """The cycle's review date has passed: nothing more can count towards it."""


@dataclass(frozen=True)
class Acknowledged:
    """A person's acknowledgement in a cycle, as pages show it."""

    policy_version: str
    acknowledged_at: datetime


# Read on every home page, as plain values (the ORM's object cost PostgreSQL's pages more
# than the query).
_ACKNOWLEDGEMENT = HotStatement(
    select(PolicyAcknowledgement.policy_version, PolicyAcknowledgement.acknowledged_at)
    .where(PolicyAcknowledgement.person_id == bindparam("person_id"),
           PolicyAcknowledgement.cycle_id == bindparam("cycle_id")))


def acknowledgement(session: Session, person_id: int, cycle_id: int) -> Acknowledged | None:
    """The person's acknowledgement in the cycle, if they have given it."""
    row = _ACKNOWLEDGEMENT.first(session, {"person_id": person_id, "cycle_id": cycle_id})
    return Acknowledged(*row) if row is not None else None


def acknowledge(session: Session, person: Person, cycle: ReviewCycle, today: date,
                now: datetime) -> Acknowledged:
    """Record that the person has read and understood the cycle's version; once per cycle
    (a second click, or a race between two tabs, keeps the first). Refused after the
    review date, like the units."""
    if deadline_passed(cycle.review_date, today):
        raise AcknowledgementClosed(
            "The review date has passed, so the policy cannot be acknowledged for this "
            "cycle. The Trust will reopen training when the policy is reviewed.")
    existing = acknowledgement(session, person.id, cycle.id)
    if existing is not None:
        return existing
    record = PolicyAcknowledgement(person_id=person.id, cycle_id=cycle.id,
                                   policy_version=cycle.policy_version, acknowledged_at=now)
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return acknowledgement(session, person.id, cycle.id)  # type: ignore[return-value]
    return Acknowledged(record.policy_version, record.acknowledged_at)
