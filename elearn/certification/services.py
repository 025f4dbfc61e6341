"""Completing tracks, and finding and revoking certificates (issuing: certification.issuing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.certification.codes import display
from elearn.certification.eligibility import (
    CertificateStatus,
    certificate_status,
    completed_tracks,
)
from elearn.content.model import Content
from elearn.cycles.rules import current_cycle, deadline_passed
from elearn.learner.acknowledgement import acknowledgement
from elearn.models import Certificate, Completion, Person, ReviewCycle
from elearn.people.rules import tracks_of
from elearn.quiz.passes import passed_unit_ids


class CertificateError(ValueError):
    pass


def record_completions(session: Session, content: Content, person: Person,
                       cycle: ReviewCycle, today: date, now: datetime) -> list[Completion]:
    """Record a completion for every track the person has just finished, in the caller's
    transaction: called when a unit is passed and when the policy is acknowledged, whichever
    comes last. The certificates are issued after the commit (certification.issuing), so
    no write transaction waits for a render."""
    tracks = tracks_of(content, person)
    acknowledged = acknowledgement(session, person.id, cycle.id) is not None
    done = completed_tracks(tracks, passed_unit_ids(session, person.id, cycle.id),
                            acknowledged, today, cycle.review_date)
    recorded: list[Completion] = []
    for track in done:
        exists = session.scalar(select(Completion.id).where(
            Completion.person_id == person.id, Completion.cycle_id == cycle.id,
            Completion.track_id == track.id))
        if exists:
            continue
        completion = Completion(person_id=person.id, cycle_id=cycle.id, track_id=track.id,
                                completed_at=now)
        try:
            with session.begin_nested():
                session.add(completion)
        except IntegrityError:
            continue  # a concurrent request recorded it first; one completion is kept
        recorded.append(completion)
    return recorded


@dataclass(frozen=True)
class Verification:
    status: CertificateStatus
    holder_name: str
    track_title: str
    policy_title: str
    policy_version: str
    completed_on: date
    valid_until: date
    code: str
    revoked_on: date | None
    # When a later review made it expire before its "valid until" date.
    replaced_on: date | None = None


def _status(certificate: Certificate, current: ReviewCycle | None,
            today: date) -> CertificateStatus:
    return certificate_status(certificate.revoked_at is not None, certificate.valid_until,
                              current is not None and current.id == certificate.cycle_id, today)


def status_of(session: Session, certificate: Certificate, today: date) -> CertificateStatus:
    return _status(certificate, current_cycle(session), today)


def _replaced_on(status: CertificateStatus, valid_until: date, current: ReviewCycle | None,
                 today: date) -> date | None:
    """The date of the review that ended a certificate early, so that "expired" next to a
    future "valid until" date explains itself."""
    if status is CertificateStatus.EXPIRED and not deadline_passed(valid_until, today) \
            and current is not None:
        return current.reviewed_on
    return None


def verify(session: Session, code: str, today: date) -> Verification | None:
    """What the public may know about a certificate: status, holder, track, dates. No more."""
    certificate = session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return None
    current = current_cycle(session)
    status = _status(certificate, current, today)
    return Verification(status, certificate.holder_name,
                        certificate.track_title, certificate.policy_title,
                        certificate.policy_version, certificate.completed_on,
                        certificate.valid_until, display(certificate.code),
                        certificate.revoked_at.date() if certificate.revoked_at else None,
                        _replaced_on(status, certificate.valid_until, current, today))


def revoke(session: Session, certificate: Certificate, reason: str, by: Person,
           now: datetime) -> None:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise CertificateError("Give the reason for revoking this certificate.")
    if certificate.revoked_at is not None:
        raise CertificateError("This certificate is already revoked.")
    certificate.revoked_at = now
    certificate.revoked_reason = reason
    certificate.revoked_by_id = by.id


@dataclass(frozen=True)
class CertificateRow:
    code: str
    track_title: str
    completed_on: date
    valid_until: date
    status: CertificateStatus
    replaced_on: date | None = None


def certificates_per_school(session: Session, cycle_id: int) -> dict[int, int]:
    """School id -> how many certificates its people were issued in the cycle."""
    return dict(session.execute(
        select(Person.school_id, func.count()).select_from(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(Certificate.cycle_id == cycle_id).group_by(Person.school_id)).all())


def my_certificates(session: Session, person_id: int, today: date) -> list[CertificateRow]:
    """A person's certificates, newest first, each with its status today."""
    cycle = current_cycle(session)
    rows = session.scalars(select(Certificate).where(Certificate.person_id == person_id)
                           .order_by(Certificate.issued_at.desc()))
    found = []
    for c in rows:
        status = _status(c, cycle, today)
        found.append(CertificateRow(c.code, c.track_title, c.completed_on, c.valid_until,
                                    status, _replaced_on(status, c.valid_until, cycle, today)))
    return found
