"""Everything elearn holds about one person, for "My data" and its download. No Flask."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.models import (
    Attempt,
    AuditEvent,
    CarriedOverPass,
    Certificate,
    LoginFailure,
    Person,
    PolicyAcknowledgement,
    ReviewCycle,
)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(session: Session, person: Person) -> dict[str, Any]:
    """Everything elearn holds about one person, as plain JSON-ready values."""
    cycles = {c.id: c for c in session.scalars(select(ReviewCycle))}
    attempts = session.scalars(select(Attempt).where(Attempt.person_id == person.id)
                               .order_by(Attempt.started_at))
    certificates = session.scalars(select(Certificate).where(
        Certificate.person_id == person.id).order_by(Certificate.issued_at))
    events = session.scalars(select(AuditEvent).where(
        (AuditEvent.actor_id == person.id) | (AuditEvent.subject == f"person:{person.id}"))
        .order_by(AuditEvent.at))
    failures = session.scalars(select(LoginFailure).where(LoginFailure.account == person.email))
    acknowledgements = session.scalars(select(PolicyAcknowledgement).where(
        PolicyAcknowledgement.person_id == person.id).order_by(
        PolicyAcknowledgement.acknowledged_at))
    carried = session.scalars(select(CarriedOverPass).where(
        CarriedOverPass.person_id == person.id).order_by(CarriedOverPass.carried_at))
    return {
        "person": {
            "name": person.name, "email": person.email, "school": person.school.name,
            "job_title": person.job_title, "roles": sorted(r.value for r in person.roles),
            "active": person.active, "created_at": _iso(person.created_at),
            "last_sign_in_at": _iso(person.last_sign_in_at), "left_on": _iso(person.left_on),
        },
        "attempts": [{
            "unit": a.unit_id, "number": a.number,
            "review_cycle_due": _iso(cycles[a.cycle_id].review_date),
            "started_at": _iso(a.started_at),
            "answers": {ans.question_id: ans.response for ans in a.answers},
            "result": None if a.result is None else {
                "score": a.result.score, "out_of": a.result.max_score,
                "percent": a.result.percent, "passed": a.result.passed,
                "submitted_at": _iso(a.result.submitted_at)},
        } for a in attempts],
        "policy_acknowledgements": [{
            "policy_version": a.policy_version,
            "review_cycle_due": _iso(cycles[a.cycle_id].review_date),
            "acknowledged_at": _iso(a.acknowledged_at)} for a in acknowledgements],
        "passes_carried_over": [{
            "unit": c.unit_id, "into_review_cycle_due": _iso(cycles[c.cycle_id].review_date),
            "passed_at": _iso(c.passed_at)} for c in carried],
        "certificates": [{
            "number": c.code, "track": c.track_title, "policy_version": c.policy_version,
            "completed_on": _iso(c.completed_on), "valid_until": _iso(c.valid_until),
            "revoked_at": _iso(c.revoked_at), "sha256": c.sha256,
        } for c in certificates],
        "activity": [{"at": _iso(e.at), "action": e.action, "address": e.address}
                     for e in events],
        "failed_sign_ins": [{"at": _iso(f.at), "address": f.address} for f in failures],
    }
