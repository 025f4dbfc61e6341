"""Issuing certificates for recorded completions, outside any write transaction.

A completion is recorded (and committed) with the answer or acknowledgement that earned it;
its certificate is rendered afterwards, with no transaction open, and stored in a short
transaction of its own. Rendering takes about 0.1 s of CPU: inside the write transaction it
held SQLite's single write lock (and a PostgreSQL transaction) while every other learner's
answer waited. A completion whose certificate was never stored (a crash or a render error
between the two) is issued by the same function later: on the holder's next visit to their
home page, or by `flask --app wsgi certificates repair`. The unique (person, cycle, track)
of a certificate keeps exactly one when two requests issue the same one at once.

This module owns its transactions (it commits): call it after the caller's own commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.certification.codes import display, new_code
from elearn.certification.glyphs import unprintable
from elearn.certification.render import CertificateContext, CertificateRenderer
from elearn.content.model import Content
from elearn.cycles.rules import policy_in_force
from elearn.hot_statements import HotStatement
from elearn.models import Certificate, Completion, Person, ReviewCycle, School
from elearn.wording import long_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedCertificate:
    code: str
    track_id: str
    track_title: str


@dataclass(frozen=True)
class _Pending:
    """Everything a missing certificate needs, read before any rendering starts."""

    person_id: int
    cycle_id: int
    track_id: str
    completed_at: datetime
    holder_name: str
    school_name: str
    policy_version: str
    review_date: date
    policy_id: str


# Completions with no certificate; erased leavers have no name left to print. Built once:
# the home page runs the one-person form on every visit.
_MISSING = (
    select(Completion.person_id, Completion.cycle_id, Completion.track_id,
           Completion.completed_at, Person.name, School.name, ReviewCycle.policy_version,
           ReviewCycle.review_date, ReviewCycle.policy_id)
    .join(Person, Person.id == Completion.person_id)
    .join(School, School.id == Person.school_id)
    .join(ReviewCycle, ReviewCycle.id == Completion.cycle_id)
    .outerjoin(Certificate, (Certificate.person_id == Completion.person_id)
               & (Certificate.cycle_id == Completion.cycle_id)
               & (Certificate.track_id == Completion.track_id))
    .where(Certificate.id.is_(None), Person.erased_at.is_(None))
    .order_by(Completion.id)
)
_MISSING_FOR_PERSON = HotStatement(_MISSING.where(Completion.person_id == bindparam("person_id")))


def missing_certificates(session: Session, person_id: int | None = None) -> list[_Pending]:
    """Completions (of one person, or of everyone) whose certificate is not stored."""
    if person_id is None:
        rows = session.execute(_MISSING)
    else:
        rows = _MISSING_FOR_PERSON.rows(session, {"person_id": person_id})
    return [_Pending(*row) for row in rows]


def _certificate(content: Content, renderer: CertificateRenderer, pending: _Pending,
                 now: datetime, base_url: str) -> Certificate | None:
    """Render the certificate for one completion; None when it cannot be rendered now."""
    cycle = ReviewCycle(policy_id=pending.policy_id, policy_version=pending.policy_version,
                        review_date=pending.review_date)  # transient: never added
    policy = policy_in_force(content, cycle)
    track = content.track(pending.track_id)
    if track is None:
        log.error("certificate not issued: track %r is no longer in the content",
                  pending.track_id)
        return None
    if unprintable(pending.holder_name) or unprintable(pending.school_name):
        # Held back when the completion was recorded; renamed since to something the fonts
        # cannot print: HR issues it once the name is corrected (hr person page).
        log.error("certificate not issued: person %s's name cannot be printed",
                  pending.person_id)
        return None
    # The day it was completed where the server is, as date.today() gives it.
    completed_on = pending.completed_at.astimezone().date()
    code = new_code()
    context = CertificateContext(
        trust_name=policy.trust, holder_name=pending.holder_name,
        school_name=pending.school_name, track_title=track.title,
        policy_title=policy.title, policy_version=pending.policy_version,
        completed_on=long_date(completed_on), valid_until=long_date(pending.review_date),
        certificate_number=display(code), verify_url=f"{base_url}/verify/{code}",
        issued_on=long_date(now.date()), issued_iso=now.isoformat(timespec="seconds"),
        signatory_name=renderer.signatory_name, signatory_role=renderer.signatory_role,
        units_passed=len(track.unit_ids), pass_mark=track.pass_mark)
    pdf = renderer.render(context)
    return Certificate(
        code=code, person_id=pending.person_id, cycle_id=pending.cycle_id,
        track_id=track.id, holder_name=pending.holder_name, school_name=pending.school_name,
        track_title=track.title, policy_title=policy.title,
        policy_version=pending.policy_version, completed_on=completed_on,
        valid_until=pending.review_date, issued_at=now, template_version=renderer.version,
        sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf)


def issue_missing_certificates(session: Session, content: Content,
                               renderer: Callable[[], CertificateRenderer], now: datetime,
                               base_url: str, person_id: int | None = None
                               ) -> list[IssuedCertificate]:
    """Render and store the certificate of every completion that has none (one person's, or
    everyone's): each rendered with no transaction open and stored in its own transaction.

    `renderer` is called only when there is something to render: building one loads fonts
    and WeasyPrint (about a second), which a home page visit must not pay for nothing.
    A render error is logged and leaves the completion for the next try. Returns the
    certificates this call stored (not those another request stored first)."""
    return issue_certificates(session, content, renderer, now, base_url,
                              missing_certificates(session, person_id))


def issue_certificates(session: Session, content: Content,
                       renderer: Callable[[], CertificateRenderer], now: datetime,
                       base_url: str, pending: list[_Pending]) -> list[IssuedCertificate]:
    """issue_missing_certificates() for what missing_certificates() has just found: one
    issued meanwhile by another request is skipped."""
    if not pending:
        return []  # the usual case: no commit, so the caller's objects stay loaded
    session.commit()  # end the read: nothing is held while rendering
    the_renderer = renderer()
    issued: list[IssuedCertificate] = []
    for item in pending:
        try:
            certificate = _certificate(content, the_renderer, item, now, base_url)
        except Exception:  # any render failure: the completion stays, repaired later
            log.exception("certificate render failed for person %s, track %s",
                          item.person_id, item.track_id)
            continue
        if certificate is None:
            continue
        found = IssuedCertificate(certificate.code, certificate.track_id,
                                  certificate.track_title)
        session.add(certificate)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another request stored this certificate first
            continue
        issued.append(found)
    return issued
