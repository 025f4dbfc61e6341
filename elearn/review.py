"""Recording a policy review, which opens a new review cycle. No Flask here."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from elearn.content.model import Policy
from elearn.cycles import current_cycle
from elearn.models import Person, ReviewCycle


class ReviewError(ValueError):
    """The review cannot be recorded as given; the message says why."""


def record_review(session: Session, policy: Policy, reviewed_on: date, next_review: date,
                  today: date, version: str | None = None,
                  by: Person | None = None) -> ReviewCycle:
    """Open a new cycle: everyone is due again by `next_review`; history is kept."""
    version = (version or policy.version).strip()
    if version != policy.version:
        raise ReviewError(f"There is no policy version '{version}' in the content; the "
                          f"current version is '{policy.version}'.")
    if reviewed_on > today:
        raise ReviewError("The review date cannot be in the future: record a review once it "
                          "has happened.")
    if next_review <= today:
        raise ReviewError("The next review date must be in the future, so that certificates "
                          "are never issued valid into the past.")
    if next_review <= reviewed_on:
        raise ReviewError("The next review date must come after the date of this review.")
    latest = current_cycle(session)
    if latest is not None and reviewed_on < latest.reviewed_on:
        raise ReviewError(f"A later review ({latest.reviewed_on:%d %B %Y}) is already "
                          "recorded.")
    cycle = ReviewCycle(policy_id=policy.id, policy_version=version, reviewed_on=reviewed_on,
                        review_date=next_review, recorded_by_id=by.id if by else None)
    session.add(cycle)
    return cycle
