"""Downloading one's certificates, and the public verification page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from elearn.auth.access import can_see_person
from elearn.certification import codes
from elearn.certification.services import verify
from elearn.extensions import db
from elearn.models import Certificate, Person
from elearn.rate_limit import per_address
from elearn.web import send_pdf

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.get("/certificates/<code>.pdf")
def download(code: str):
    if not current_user.is_authenticated:
        abort(404)
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None or not certificate.pdf:  # erased with a leaver's details
        abort(404)
    holder = db.session.get(Person, certificate.person_id)
    if not can_see_person(current_user, holder):
        abort(404)
    filename = f"certificate-{certificate.track_id}-{codes.display(certificate.code)}.pdf"
    return send_pdf(certificate.pdf, filename, certificate.sha256)


@bp.get("/verify")
@per_address("VERIFY_PER_MINUTE")
def verify_form():
    typed = request.args.get("code")
    if typed is None:
        return render_template("certification/verify_form.html", error=None)
    code = codes.normalise(typed)
    if code is None:
        return render_template("certification/verify_form.html", typed=typed, error=(
            "Enter the 12-character certificate number printed on the certificate, "
            "for example K7QX-M3PD-94TR.")), 422
    return redirect(url_for("certificates.verify_page", code=code))


@bp.get("/verify/<code>")
@per_address("VERIFY_PER_MINUTE")
def verify_page(code: str):
    normalised = codes.normalise(code)
    result = verify(db.session, normalised, date.today()) if normalised else None
    if result is None:
        return render_template("certification/verify_unknown.html", code=code), 404
    return render_template("certification/verify.html", result=result)
