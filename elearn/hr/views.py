"""HR: the review cycle, recording a review, certificates by school, revocation."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from elearn import privacy
from elearn.auth.access import can_see_person, hr_school_ids, roles_required
from elearn.certification import codes
from elearn.certification.services import CertificateError, revoke
from elearn.cycles import current_cycle, deadline
from elearn.extensions import db
from elearn.hr.forms import LeaverForm, ReviewForm, RevokeForm
from elearn.models import Certificate, Person, Role, School, utcnow
from elearn.review import ReviewError, record_review
from elearn.web import audit, content

bp = Blueprint("hr", __name__, url_prefix="/hr", template_folder="templates")


def _visible_schools() -> list[School]:
    scope = hr_school_ids(current_user)
    query = select(School).order_by(School.is_central, School.name)
    if scope is not None:
        query = query.where(School.id.in_(scope))
    return list(db.session.scalars(query))


def _page(review_form: ReviewForm | None = None, revoke_form: RevokeForm | None = None,
          status: int = 200):
    cycle = current_cycle(db.session)
    policy = content().policy
    if review_form is None:
        review_form = ReviewForm(version=policy.version)
    return render_template(
        "hr/index.html", cycle=cycle,
        deadline=deadline(cycle, date.today()) if cycle else None,
        schools=_visible_schools(), review_form=review_form,
        revoke_form=revoke_form or RevokeForm(), policy=policy,
        can_record=current_user.has_role(Role.HR, Role.ADMIN)), status


@bp.get("/")
@roles_required(Role.HR, Role.ADMIN)
def index():
    return _page()


@bp.post("/review")
@roles_required(Role.HR, Role.ADMIN)
def record():
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            cycle = record_review(db.session, content().policy, form.reviewed_on.data,
                                  form.next_review.data, date.today(), form.version.data,
                                  db.session.get(Person, current_user.id))
        except ReviewError as exc:
            db.session.rollback()
            form.next_review.errors = [str(exc)]
        else:
            db.session.flush()
            audit("review-recorded", f"cycle:{cycle.id}",
                  reviewed_on=cycle.reviewed_on.isoformat(),
                  next_review=cycle.review_date.isoformat(), version=cycle.policy_version)
            db.session.commit()
            flash(f"Review recorded. A new review cycle is open: everyone must complete their "
                  f"training by {cycle.review_date.day} {cycle.review_date:%B %Y}.", "success")
            return redirect(url_for("hr.index"))
    return _page(review_form=form, status=422)


@bp.get("/schools/<int:school_id>/certificates.zip")
@roles_required(Role.HR)
def school_certificates(school_id: int):
    scope = hr_school_ids(current_user)
    school = db.session.get(School, school_id)
    cycle = current_cycle(db.session)
    if school is None or cycle is None or (scope is not None and school_id not in scope):
        abort(404)
    certificates = db.session.scalars(
        select(Certificate).join(Person, Person.id == Certificate.person_id)
        .where(Person.school_id == school_id, Certificate.cycle_id == cycle.id)
        .order_by(Certificate.holder_name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for c in certificates:
            safe_name = "".join(ch if ch.isalnum() else "-" for ch in c.holder_name).strip("-")
            archive.writestr(f"{safe_name}-{c.track_id}-{codes.display(c.code)}.pdf", c.pdf)
    buffer.seek(0)
    audit("export-certificates-zip", f"school:{school.id}", cycle=cycle.id)
    db.session.commit()
    slug = "".join(ch if ch.isalnum() else "-" for ch in school.name.lower())
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"certificates-{slug}-{cycle.review_date}.zip")


@bp.post("/certificates/revoke")
@roles_required(Role.HR)
def revoke_certificate():
    form = RevokeForm()
    if form.validate_on_submit():
        code = codes.normalise(form.code.data)
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == code)
                                        ) if code else None
        holder = db.session.get(Person, certificate.person_id) if certificate else None
        scope = hr_school_ids(current_user)
        if holder is None or (scope is not None and holder.school_id not in scope):
            form.code.errors = ["No certificate with this number is yours to revoke."]
        else:
            try:
                revoke(db.session, certificate, form.reason.data,
                       db.session.get(Person, current_user.id), utcnow())
            except CertificateError as exc:
                form.reason.errors = [str(exc)]
            else:
                audit("certificate-revoked", f"certificate:{certificate.code}",
                      reason=certificate.revoked_reason)
                db.session.commit()
                flash(f"Certificate {codes.display(certificate.code)} of "
                      f"{certificate.holder_name} is revoked.", "success")
                return redirect(url_for("hr.index"))
    current_app.logger.info("revoke refused: %s", form.errors)
    return _page(revoke_form=form, status=422)


@bp.post("/people/<int:person_id>/leaver")
@roles_required(Role.HR)
def mark_leaver(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not can_see_person(current_user, person) or person.id == current_user.id:
        abort(404)
    form = LeaverForm()
    if not form.validate_on_submit():
        flash("Enter the leaver's last day, for example 2026-07-31.", "error")
        return redirect(url_for("hr.index"))
    try:
        privacy.mark_leaver(person, form.left_on.data)
    except privacy.PrivacyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("hr.index"))
    audit("leaver-marked", f"person:{person.id}", left_on=form.left_on.data.isoformat())
    db.session.commit()
    days = current_app.config["RETENTION_DAYS"]
    flash(f"{person.name} is marked as a leaver and can no longer sign in. Their personal "
          f"details will be erased {days} days after {form.left_on.data:%d %B %Y}.", "success")
    return redirect(url_for("hr.index"))
