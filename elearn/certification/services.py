"""Completing tracks and issuing, finding and revoking certificates."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.audit import record as audit_record
from elearn.certification.codes import ALPHABET, display, normalise
from elearn.certification.eligibility import (
    CertificateStatus,
    certificate_status,
    completed_tracks,
)
from elearn.certification.glyphs import Unprintable, unprintable
from elearn.certification.signing import CertificateSigner, SignatureCheck
from elearn.content.model import Content
from elearn.cycles.rules import current_cycle, deadline_passed
from elearn.hot_statements import HotStatement
from elearn.learner.acknowledgement import acknowledgement
from elearn.models import (
    AnyCycle,
    AnyPerson,
    AuditEvent,
    Certificate,
    Completion,
    Person,
)
from elearn.people.rules import tracks_of
from elearn.quiz.passes import passed_unit_ids


class CertificateError(ValueError):
    pass


# A certificate number as printed (K7QX-M3PD-94TR) inside other text.
_NUMBER = re.compile(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


@dataclass(frozen=True)
class NameProblem:
    """Why a person's certificate cannot be printed: characters of their name or school
    that no font of the certificate has."""

    name: list[Unprintable]
    school: list[Unprintable]

    def __bool__(self) -> bool:
        return bool(self.name or self.school)

    @property
    def explanation(self) -> str:
        parts = []
        if self.name:
            parts.append("the name has " + ", ".join(u.description for u in self.name))
        if self.school:
            parts.append("the school's name has "
                         + ", ".join(u.description for u in self.school))
        return ("; ".join(parts) + ", which the certificate's fonts cannot print (it would "
                "show as empty boxes)")


def name_problem(person: AnyPerson) -> NameProblem:
    """What stops the person's name and school being printed; falsy when nothing does."""
    return NameProblem(unprintable(person.name), unprintable(person.school.name))


def held_tracks(session: Session, person_id: int, cycle_id: int) -> dict[str, str]:
    """Track id -> why its certificate was held back, for the person's tracks completed in
    the cycle whose certificate could not be printed and has not been issued since."""
    held = {}
    for details in session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "certificate-held",
            AuditEvent.subject == f"person:{person_id}").order_by(AuditEvent.id)):
        if details.get("cycle") == cycle_id:
            held[details["track"]] = details["reason"]
    issued = set(session.scalars(select(Certificate.track_id).where(
        Certificate.person_id == person_id, Certificate.cycle_id == cycle_id)))
    return {track: reason for track, reason in held.items() if track not in issued}


def record_completions(session: Session, content: Content, person: AnyPerson,
                       cycle: AnyCycle, today: date, now: datetime) -> list[Completion]:
    """Record a completion for every track the person has just finished, in the caller's
    transaction: called when a unit is passed and when the policy is acknowledged, whichever
    comes last. The certificates are issued after the commit (certification.issuing), so
    no write transaction waits for a render.

    A name or school that cannot be printed holds the track back (a certificate is stored
    for good, and boxes for a name cannot be corrected later): nothing is stored and the
    audit trail records why. HR sees it on the person's page and, once the name is
    corrected, issues it from there."""
    tracks = tracks_of(content, person)
    acknowledged = acknowledgement(session, person.id, cycle.id) is not None
    done = completed_tracks(tracks, passed_unit_ids(session, person.id, cycle.id),
                            acknowledged, today, cycle.review_date)
    recorded: list[Completion] = []
    problem: NameProblem | None = None
    for track in done:
        exists = session.scalar(select(Completion.id).where(
            Completion.person_id == person.id, Completion.cycle_id == cycle.id,
            Completion.track_id == track.id))
        if exists:
            continue
        problem = problem if problem is not None else name_problem(person)
        if problem:
            audit_record(session, "certificate-held", actor_id=None, address=None,
                         subject=f"person:{person.id}", track=track.id, cycle=cycle.id,
                         reason=problem.explanation)
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
    school_name: str = ""
    # The SHA-256 of the file as issued: the one exact file that is this certificate.
    sha256: str = ""


def _status(certificate: Certificate, current: AnyCycle | None,
            today: date) -> CertificateStatus:
    """A certificate's status today (from a Certificate, or a row of its columns)."""
    return certificate_status(certificate.revoked_at is not None, certificate.valid_until,
                              current is not None and current.id == certificate.cycle_id, today)


def status_of(session: Session, certificate: Certificate, today: date) -> CertificateStatus:
    return _status(certificate, current_cycle(session), today)


def _replaced_on(status: CertificateStatus, valid_until: date, current: AnyCycle | None,
                 today: date) -> date | None:
    """The date of the review that ended a certificate early, so that "expired" next to a
    future "valid until" date explains itself."""
    if status is CertificateStatus.EXPIRED and not deadline_passed(valid_until, today) \
            and current is not None:
        return current.reviewed_on
    return None


def _verification(session: Session, certificate: Certificate, today: date) -> Verification:
    current = current_cycle(session)
    status = _status(certificate, current, today)
    return Verification(status, certificate.holder_name,
                        certificate.track_title, certificate.policy_title,
                        certificate.policy_version, certificate.completed_on,
                        certificate.valid_until, display(certificate.code),
                        certificate.revoked_at.date() if certificate.revoked_at else None,
                        _replaced_on(status, certificate.valid_until, current, today),
                        certificate.school_name, certificate.sha256)


def verify(session: Session, code: str, today: date) -> Verification | None:
    """What the public may know about a certificate: status, holder, school, track, dates
    and the file's fingerprint. Not why it was revoked, nor who the holder is beyond that."""
    certificate = session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return None
    return _verification(session, certificate, today)


class FileFailure(StrEnum):
    """Why an uploaded file is not one the Trust issued, in the order they are reported."""

    NO_SUCH_CERTIFICATE = "no such certificate"
    HASH = "hash"
    SIGNATURE = "signature"


@dataclass(frozen=True)
class FileCheck:
    """The answer to "is this file one the Trust issued?"."""

    # The record the file is (its SHA-256 matched) or claims to be (by the number it
    # carries); None when it names no certificate the Trust has.
    certificate: Verification | None
    failures: tuple[FileFailure, ...]
    signature: SignatureCheck
    sha256: str

    @property
    def exact(self) -> bool:
        return self.certificate is not None and not self.failures


def check_file(session: Session, signer: CertificateSigner, pdf: bytes,
               today: date) -> FileCheck:
    """Is `pdf` exactly a file the Trust issued? Its SHA-256 must equal a stored
    certificate's and its signature must be the Trust's, intact, over the whole file.

    A file whose hash matches nothing is matched to the certificate whose number it states
    (in its signature or keywords), so that the answer can say what it pretends to be."""
    digest = hashlib.sha256(pdf).hexdigest()
    signature = signer.check(pdf)
    failures: list[FileFailure] = []
    certificate = session.scalar(select(Certificate).where(Certificate.sha256 == digest))
    if certificate is None:
        stated = {normalise(m) for text in signer.stated_reasons(pdf)
                  for m in _NUMBER.findall(text.upper())}
        stated.discard(None)
        certificate = session.scalar(select(Certificate).where(
            Certificate.code.in_(stated)).limit(1)) if stated else None
        failures.append(FileFailure.HASH if certificate else FileFailure.NO_SUCH_CERTIFICATE)
    if not signature.valid:
        failures.append(FileFailure.SIGNATURE)
    return FileCheck(_verification(session, certificate, today) if certificate else None,
                     tuple(failures), signature, digest)


def revocation_reason(certificate: Certificate, reason: str) -> str:
    """The reason as it will be kept; CertificateError if the revocation cannot be made."""
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise CertificateError("Give the reason for revoking this certificate.")
    if certificate.revoked_at is not None:
        raise CertificateError("This certificate is already revoked.")
    return reason


def revoke(session: Session, certificate: Certificate, reason: str, by: Person,
           now: datetime) -> None:
    reason = revocation_reason(certificate, reason)
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
    # Shown to the holder and to HR: when and why the Trust withdrew it.
    revoked_on: date | None = None
    revoked_reason: str | None = None


def certificates_per_school(session: Session, cycle_id: int) -> dict[int, int]:
    """School id -> how many certificates its people were issued in the cycle and still
    hold (revoked ones are left out of the school's ZIP, so out of the count)."""
    return dict(session.execute(
        select(Person.school_id, func.count()).select_from(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(Certificate.cycle_id == cycle_id, Certificate.revoked_at.is_(None))
        .group_by(Person.school_id)).all())


# Read on every home page, as plain values: the columns the page shows (not the stored PDF)
# and those its status needs.
_MY_CERTIFICATES = HotStatement(
    select(Certificate.code, Certificate.track_title, Certificate.completed_on,
           Certificate.valid_until, Certificate.cycle_id, Certificate.revoked_at,
           Certificate.revoked_reason)
    .where(Certificate.person_id == bindparam("person_id"))
    .order_by(Certificate.issued_at.desc()))


def my_certificates(session: Session, person_id: int, cycle: AnyCycle | None,
                    today: date) -> list[CertificateRow]:
    """A person's certificates, newest first, each with its status today in the current
    cycle (which the caller has already read)."""
    rows = _MY_CERTIFICATES.rows(session, {"person_id": person_id})
    found = []
    for c in rows:
        status = _status(c, cycle, today)
        found.append(CertificateRow(c.code, c.track_title, c.completed_on, c.valid_until,
                                    status, _replaced_on(status, c.valid_until, cycle, today),
                                    c.revoked_at.date() if c.revoked_at else None,
                                    c.revoked_reason))
    return found
