"""Review cycles: recording a policy review (with its retraining choice, previewed per
school), comparing versions of the policy, and the cycle's certificates (a school's ZIP,
revocation). For HR and administrators; the pages live under /hr beside the dashboard."""

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
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from elearn.audit import Actor
from elearn.auth.access import (
    may_manage_school,
    may_record_review,
    roles_required,
    school_to_manage_or_404,
    schools_to_manage,
)
from elearn.certification import codes
from elearn.certification.services import (
    CertificateError,
    certificates_per_school,
    revocation_reason,
    revoke,
)
from elearn.content.model import UnknownVersion
from elearn.content.versions import Change, diff_policies
from elearn.current import audit, content, current_cycle_or_404
from elearn.cycles.forms import ReviewForm, RevokeForm
from elearn.cycles.retraining import Retraining, plan_each_choice
from elearn.cycles.review import ReviewError, check_review, record_review
from elearn.cycles.rules import current_cycle, deadline, policy_in_force
from elearn.extensions import db
from elearn.models import Certificate, Person, Role, School, utcnow
from elearn.wording import long_date, slug

bp = Blueprint("cycles", __name__, url_prefix="/hr", template_folder="templates")


def _version_choices(in_force: str | None) -> list[SelectChoice]:
    """The versions in modules/, newest first, the one in force named as such."""
    versions = content().versions
    newest = versions[-1]
    choices = []
    for version in reversed(versions):
        notes = [n for n, applies in (("in force", version == in_force),
                                      ("newest", version == newest)) if applies]
        choices.append(SelectChoice(version, f"{version} ({', '.join(notes)})" if notes
                                    else version))
    return choices


def _review_form(formdata=None) -> ReviewForm:
    """The review form: from a submission, from the preview's "change" link, or fresh."""
    cycle = current_cycle(db.session)
    if formdata is None and "reviewed_on" in request.args:
        formdata = request.args
    form = ReviewForm(formdata=formdata) if formdata is not None else ReviewForm(
        version=content().policy.version)
    form.version.choices = _version_choices(cycle.policy_version if cycle else None)
    return form


def _cycle_page(review_form: ReviewForm | None = None, revoke_form: RevokeForm | None = None,
                status: int = 200):
    cycle = current_cycle(db.session)
    trust_content = content()
    scope = schools_to_manage(current_user)
    schools = [s for s in db.session.scalars(select(School).order_by(School.is_central,
                                                                     School.name))
               if scope is None or s.id in scope]
    return render_template(
        "cycles/cycle.html", cycle=cycle,
        certificate_counts=certificates_per_school(db.session, cycle.id) if cycle else {},
        deadline=deadline(cycle, date.today()) if cycle else None,
        schools=schools, review_form=review_form or _review_form(),
        revoke_form=revoke_form or RevokeForm(),
        policy=policy_in_force(trust_content, cycle), versions=trust_content.versions,
        can_record=may_record_review(current_user)), status


@bp.get("/cycle")
@roles_required(Role.HR, Role.ADMIN)
def cycle_page():
    return _cycle_page()


@bp.post("/review")
@roles_required(Role.HR, Role.ADMIN)
def record():
    """Check the review, show what it would make due in each school, and record it only
    when the same details come back with `confirm`. Trust-wide: the central team only."""
    if not may_record_review(current_user):
        abort(404)
    form = _review_form(request.form)
    if not form.validate_on_submit():
        return _cycle_page(review_form=form, status=422)
    trust_content = content()
    retraining = Retraining(form.retraining.data)
    try:
        policy = check_review(trust_content, form.version.data, form.reviewed_on.data,
                              form.next_review.data, date.today(), current_cycle(db.session))
    except ReviewError as exc:
        getattr(form, exc.field, form.next_review).errors = [str(exc)]
        return _cycle_page(review_form=form, status=422)
    if request.form.get("confirm") != "yes":
        plans = plan_each_choice(db.session, trust_content, policy.version)
        plan = plans[retraining]
        other = next(p for choice, p in plans.items() if choice is not retraining)
        return render_template("cycles/review_preview.html", form=form, plan=plan, other=other,
                               plans=list(plans.values()), units=trust_content.units,
                               unit_rows=plan.units_by_school(trust_content), policy=policy)
    cycle = record_review(db.session, trust_content, form.reviewed_on.data,
                          form.next_review.data, date.today(), policy.version, retraining,
                          Actor(current_user.id, request.remote_addr)).cycle
    db.session.commit()
    flash(f"Review recorded. A new review cycle is open for policy version "
          f"{cycle.policy_version}: everyone must read and acknowledge it and complete their "
          f"training by {long_date(cycle.review_date)}.", "success")
    return redirect(url_for("cycles.cycle_page"))


@bp.get("/policy/changes")
@roles_required(Role.HR, Role.ADMIN)
def policy_changes():
    """What changed between two versions, with the units and questions citing each clause."""
    trust_content = content()
    versions = trust_content.versions
    if len(versions) < 2:
        return render_template("cycles/policy_changes.html", diff=None, versions=versions,
                               old=None, new=None)
    in_force = policy_in_force(trust_content, current_cycle(db.session)).version
    new = request.args.get("new") or versions[-1]
    previous = trust_content.previous_version(new)
    default_old = in_force if in_force != new else (
        previous.version if previous else versions[0])
    old = request.args.get("old") or default_old
    try:
        diff = diff_policies(trust_content.policy_version(old),
                             trust_content.policy_version(new), trust_content)
    except UnknownVersion as exc:
        return render_template("cycles/policy_changes.html", diff=None, versions=versions,
                               old=old, new=new, error=str(exc)), 404
    return render_template("cycles/policy_changes.html", diff=diff, versions=versions, old=old,
                           new=new, Change=Change,
                           backwards=versions.index(old) > versions.index(new),
                           track_titles={t.id: t.title for t in trust_content.tracks})


@bp.get("/schools/<int:school_id>/certificates.zip")
@roles_required(Role.HR)
def school_certificates(school_id: int):
    school = school_to_manage_or_404(db.session, school_id)
    cycle = current_cycle_or_404()
    everyone = list(db.session.scalars(
        select(Certificate).join(Person, Person.id == Certificate.person_id)
        .where(Person.school_id == school_id, Certificate.cycle_id == cycle.id)
        .order_by(Certificate.holder_name)))
    # A revoked certificate is not handed on: left out of the ZIP, and named in its listing.
    certificates = [c for c in everyone if c.revoked_at is None]
    revoked = [c for c in everyone if c.revoked_at is not None]
    if not everyone:  # an empty ZIP looks like a broken download
        flash(f"No certificates yet: nobody at {school.name} has completed a track in this "
              "review cycle, so there is nothing to download.", "info")
        return redirect(url_for("cycles.cycle_page", _anchor="certificates"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        files = []
        for c in certificates:
            filename = f"{slug(c.holder_name)}-{c.track_id}-{codes.display(c.code)}.pdf"
            archive.writestr(filename, c.pdf)
            files.append(filename)
        archive.writestr("listing.txt", _zip_listing(school, cycle, certificates, files,
                                                     revoked))
    buffer.seek(0)
    audit("export-certificates-zip", f"school:{school.id}", cycle=cycle.id)
    db.session.commit()
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"certificates-{slug(school.name)}-{cycle.review_date}.zip")


def _zip_listing(school: School, cycle, certificates: list[Certificate], files: list[str],
                 revoked: list[Certificate]) -> str:
    """The ZIP's listing: what is in it, and which revoked certificates were left out."""
    lines = [f"Certificates of {school.name}, review cycle to {long_date(cycle.review_date)}",
             f"Downloaded on {long_date(date.today())}.", "",
             f"In this ZIP ({len(certificates)}):"]
    lines += [f"  {f}: {c.holder_name}, {c.track_title}, certificate {codes.display(c.code)}, "
              f"completed on {long_date(c.completed_on)}"
              for c, f in zip(certificates, files, strict=True)] or ["  none"]
    lines += ["", f"Revoked, and so left out of this ZIP ({len(revoked)}):"]
    lines += [f"  {c.holder_name}, {c.track_title}, certificate {codes.display(c.code)}: "
              f"revoked on {long_date(c.revoked_at.date())}. Reason: {c.revoked_reason}"
              for c in revoked] or ["  none"]
    return "\r\n".join(lines) + "\r\n"  # read on Windows too


@bp.post("/certificates/revoke")
@roles_required(Role.HR)
def revoke_certificate():
    form = RevokeForm()
    if form.validate_on_submit():
        code = codes.normalise(form.code.data)
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == code)
                                        ) if code else None
        holder = db.session.get(Person, certificate.person_id) if certificate else None
        if holder is None or not may_manage_school(current_user, holder.school_id):
            form.code.errors = ["No certificate with this number is yours to revoke."]
        elif form.confirm.data != "yes":
            # Revoking cannot be undone: show what would be revoked, and ask.
            try:
                reason = revocation_reason(certificate, form.reason.data)
            except CertificateError as exc:
                form.reason.errors = [str(exc)]
            else:
                form.confirm.data = "yes"
                return render_template("cycles/revoke_confirm.html", form=form,
                                       certificate=certificate, reason=reason,
                                       code=codes.display(certificate.code))
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
                return redirect(url_for("cycles.cycle_page"))
    current_app.logger.info("revoke refused: %s", form.errors)
    return _cycle_page(revoke_form=form, status=422)
