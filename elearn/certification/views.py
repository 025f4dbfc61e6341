"""Downloading one's certificates, and the public verification page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, func, select
from werkzeug.exceptions import RequestEntityTooLarge

from elearn.auth.access import may_see_person
from elearn.certification import codes
from elearn.certification.download import send_pdf
from elearn.certification.forms import VerifyFileForm
from elearn.certification.services import FileFailure, check_file, verify
from elearn.current import signer
from elearn.extensions import csrf, db, reads_only
from elearn.hot_statements import HotStatement
from elearn.models import Certificate, Person
from elearn.rate_limit import per_address

bp = Blueprint("certificates", __name__, template_folder="templates")


_person, _certificate = Person.__table__, Certificate.__table__


def _holder_and(pdf):
    """The certificate's holder (id and school: the scope check), track, hash and `pdf`."""
    return (select(_person.c.id, _person.c.school_id, _certificate.c.track_id,
                   _certificate.c.sha256, _certificate.c.revoked_at, pdf.label("pdf"))
            .join(_person, _person.c.id == _certificate.c.person_id)
            .where(_certificate.c.code == bindparam("code")))


# Built once: building a statement costs more than SQLite takes to run it; statements on
# the tables, sent straight to the driver, since SQLAlchemy's handling of even a Core
# select cost more than the query. A download reads the PDF; a revalidation reads only its
# length, so a 304 never reads the file.
_TO_DOWNLOAD = HotStatement(_holder_and(_certificate.c.pdf))
_TO_REVALIDATE = HotStatement(_holder_and(func.length(_certificate.c.pdf)))
_PDF = select(_certificate.c.pdf).where(_certificate.c.code == bindparam("code"))


@bp.get("/certificates/<code>.pdf")
@reads_only
def download(code: str):
    """A stored certificate, to its holder and to those who may see the holder, unless it
    was revoked; else 404."""
    if not current_user.is_authenticated:
        abort(404)
    revalidating = bool(request.if_none_match)
    row = (_TO_REVALIDATE if revalidating else _TO_DOWNLOAD).first(db.session, {"code": code})
    if row is None or not row.pdf:  # unknown, or erased with a leaver's details (b"")
        abort(404)
    if row.revoked_at is not None:  # withdrawn: no longer handed out, to anyone
        abort(404)
    # The row carries the holder's id and school_id, all that may_see_person reads.
    if not may_see_person(current_user, row):
        abort(404)
    filename = f"certificate-{row.track_id}-{codes.display(code)}.pdf"
    if revalidating:  # a stale copy (rare): read the bytes only now they are needed
        return send_pdf(lambda: db.session.connection().scalar(_PDF, {"code": code}),
                        filename, row.sha256)
    return send_pdf(row.pdf, filename, row.sha256)


@bp.get("/verify")
@per_address("VERIFY_PER_MINUTE")
def verify_form():
    typed = request.args.get("code")
    if typed is None:
        return render_template("certification/verify_form.html", error=None,
                               file_form=VerifyFileForm())
    error = codes.problem(typed)
    if error:
        return render_template("certification/verify_form.html", typed=typed,
                               error=error, file_form=VerifyFileForm()), 422
    return redirect(url_for("certificates.verify_page", code=codes.normalise(typed)))


@bp.get("/verify/<code>")
@per_address("VERIFY_PER_MINUTE")
def verify_page(code: str):
    normalised = codes.normalise(code)
    result = verify(db.session, normalised, date.today()) if normalised else None
    if result is None:
        return render_template("certification/verify_unknown.html",
                               code=codes.display(normalised) if normalised else code), 404
    return render_template("certification/verify.html", result=result,
                           file_form=VerifyFileForm())


@bp.post("/verify/file")
@csrf.exempt  # checked below, once the upload's size limit is set
@per_address("VERIFY_FILES_PER_MINUTE")
def verify_file():
    """Is the uploaded PDF exactly a file the Trust issued? Checked, answered, not kept."""
    limit_kb = current_app.config["VERIFY_UPLOAD_MAX_KB"]
    # Before anything reads the body: a larger upload is refused unread (413).
    request.max_content_length = limit_kb * 1024 + 16 * 1024  # the form's other fields
    try:
        csrf.protect()
        form = VerifyFileForm()  # reads the upload
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = VerifyFileForm(formdata=None)
        form.file.errors = [f"The file is larger than {limit_kb // 1024} MB: a certificate "
                            "is far smaller. Check that you chose the certificate’s PDF."]
        return render_template("certification/verify_form.html", error=None,
                               file_form=form), 413
    if not valid:
        return render_template("certification/verify_form.html", error=None,
                               file_form=form), 422
    data = form.file.data.read()
    result = check_file(db.session, signer(), data, date.today())
    return render_template("certification/verify_file.html", result=result,
                           filename=form.file.data.filename, Failure=FileFailure)
