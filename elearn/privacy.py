"""Personal data: what we hold about a person, leavers, and erasure after retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
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

ERASED_NAME = "Former member of the Trust"
HOLDER_REMOVED = "Holder details removed"


class PrivacyError(ValueError):
    pass


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


def mark_leaver(person: Person, left_on: date) -> None:
    """Deactivate a leaver and end their sessions; details are erased after retention."""
    if person.erased_at is not None:
        raise PrivacyError("This person's details have already been erased.")
    person.active = False
    person.left_on = left_on
    person.end_all_sessions()


def due_for_erasure(session: Session, today: date, retention_days: int) -> list[Person]:
    cutoff = today - timedelta(days=retention_days)
    return list(session.scalars(select(Person).where(
        Person.left_on.is_not(None), Person.left_on <= cutoff, Person.erased_at.is_(None))))


def erase(session: Session, person: Person, now: datetime) -> None:
    """Remove a leaver's personal details; anonymous results and verification remain."""
    old_email = person.email
    person.name = ERASED_NAME
    person.email = f"erased-{person.id}@erased.invalid"
    person.job_title = None
    person.password_hash = None
    person.last_sign_in_at = None
    person.end_all_sessions()
    person.erased_at = now
    for certificate in session.scalars(select(Certificate).where(
            Certificate.person_id == person.id)):
        # The stored PDF carries the name: it goes; the record still verifies.
        certificate.holder_name = HOLDER_REMOVED
        certificate.pdf = b""
    session.execute(delete(LoginFailure).where(LoginFailure.account == old_email))
