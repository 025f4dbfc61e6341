"""Recording a policy review, which opens a new review cycle. No Flask here.

A review names the policy version it brings and the retraining choice; recording it is one
service, called by the HR page and the command line alike, and returns the plan it carried
out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from elearn.audit import Actor
from elearn.content.model import Content, Policy, UnknownVersion
from elearn.cycles.retraining import Retraining, RetrainingPlan, plan_retraining
from elearn.cycles.rules import current_cycle
from elearn.models import CarriedOverPass, ReviewCycle


class ReviewError(ValueError):
    """The review cannot be recorded as given; the message says why, and `field` names the
    date it is about ("reviewed_on" or "next_review"), so a form can show it there."""

    def __init__(self, message: str, field: str = "next_review") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RecordedReview:
    cycle: ReviewCycle
    plan: RetrainingPlan


def check_review(content: Content, version: str | None, reviewed_on: date,
                 next_review: date, today: date, latest: ReviewCycle | None) -> Policy:
    """The version the review names, once the dates make sense; ReviewError otherwise."""
    version = (version or "").strip() or (latest.policy_version if latest else
                                          content.policy.version)
    try:
        policy = content.policy_version(version)
    except UnknownVersion as exc:
        raise ReviewError(str(exc), field="version") from None
    if reviewed_on > today:
        raise ReviewError("The review date cannot be in the future: record a review once it "
                          "has happened.", field="reviewed_on")
    if next_review <= today:
        raise ReviewError("The next review date must be in the future, so that certificates "
                          "are never issued valid into the past.")
    if next_review <= reviewed_on:
        raise ReviewError("The next review date must come after the date of this review.")
    if latest is not None and reviewed_on < latest.reviewed_on:
        raise ReviewError(f"A later review ({latest.reviewed_on:%d %B %Y}) is already "
                          "recorded: the date of this review cannot be earlier.",
                          field="reviewed_on")
    if latest is not None and (latest.reviewed_on, latest.review_date,
                               latest.policy_version) == (reviewed_on, next_review,
                                                          policy.version):
        # Most likely a second click on Confirm: a second identical cycle would make
        # everyone due again for nothing.
        raise ReviewError("This review is already recorded: the current review cycle has "
                          "the same dates and policy version.")
    return policy


def record_review(session: Session, content: Content, reviewed_on: date, next_review: date,
                  today: date, version: str | None = None,
                  retraining: Retraining = Retraining.ALL, by: Actor = Actor.SYSTEM,
                  now: datetime | None = None, plan: RetrainingPlan | None = None
                  ) -> RecordedReview:
    """Open a new cycle: everyone is due again by `next_review`, except the units that
    targeted retraining carries over; history is kept, and the audit trail says who did it.

    `plan`: the plan already shown for confirmation (made in the same transaction), so the
    review is not planned twice. Raises ReviewError, changing nothing, when the review
    cannot be recorded as given."""
    policy = check_review(content, version, reviewed_on, next_review, today,
                          current_cycle(session))
    if plan is None or (plan.new_version, plan.retraining) != (policy.version, retraining):
        plan = plan_retraining(session, content, policy.version, retraining)
    cycle = ReviewCycle(policy_id=policy.id, policy_version=policy.version,
                        reviewed_on=reviewed_on, review_date=next_review,
                        recorded_by_id=by.person_id, retraining=retraining.value)
    session.add(cycle)
    session.flush()
    session.add_all(CarriedOverPass(person_id=pid, cycle_id=cycle.id, unit_id=uid,
                                    attempt_id=aid, **({"carried_at": now} if now else {}))
                    for pid, uid, aid in plan.carry)
    by.record(session, "review-recorded", f"cycle:{cycle.id}",
              reviewed_on=cycle.reviewed_on.isoformat(),
              next_review=cycle.review_date.isoformat(), version=cycle.policy_version,
              retraining=cycle.retraining, carried_over=len(plan.carry))
    return RecordedReview(cycle, plan)
