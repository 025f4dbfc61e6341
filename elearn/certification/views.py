"""Downloading one's certificates, and the public verification page."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import FromClause, bindparam, case, func, or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from elearn.auth.access import may_see_person
from elearn.auth.sessions import kept_or_read, read_with_signed_in_person
from elearn.auth.signed_in import SIGNED_IN_PERSON, SIGNED_IN_ROLE, signed_in_person_select
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


_certificate = Certificate.__table__
_holder = Person.__table__.alias("holder")


class _Holder(NamedTuple):
    """Whose a certificate is, as may_see_person reads a person."""

    id: int
    school_id: int


# The certificate's holder (id and school: the scope check), track, hash, revocation and
# `pdf` (the file, or for a revalidation only its length: a 304 never reads the file).
def _certificate_columns(pdf) -> tuple:
    return (_holder.c.id.label("holder_id"), _holder.c.school_id.label("holder_school_id"),
            _certificate.c.track_id, _certificate.c.sha256, _certificate.c.revoked_at,
            pdf.label("pdf"))


def _with_certificate(tables: FromClause) -> FromClause:
    return (tables.outerjoin(_certificate, _certificate.c.code == bindparam("code"))
            .outerjoin(_holder, _holder.c.id == _certificate.c.person_id))


def _signed_in_and_certificate(pdf) -> HotStatement:
    """The signed-in person and the certificate, in one statement: one row per role of the
    person, the file on one of them only (the first role's, or the only row of a person
    with none), so that it leaves the database once. (Numbering the rows instead made
    SQLite copy the file into a table of its own: 10 µs of a download.)"""
    others = SIGNED_IN_ROLE.alias("other_role")
    first_role = select(func.min(others.c.role)).where(
        others.c.person_id == SIGNED_IN_PERSON.c.id).scalar_subquery()
    role = SIGNED_IN_ROLE.c.role
    on_one_row = case((or_(role.is_(None), role == first_role), pdf))
    return HotStatement(signed_in_person_select(*_certificate_columns(on_one_row),
                                                joined=_with_certificate), binary=True)


def _certificate_alone(pdf) -> HotStatement:
    """The certificate alone, for a person the session's loader reads (a remember-me
    cookie)."""
    return HotStatement(select(*_certificate_columns(pdf))
                        .select_from(_certificate.join(_holder,
                                                       _holder.c.id == _certificate.c.person_id))
                        .where(_certificate.c.code == bindparam("code")), binary=True)


# Built once: building a statement costs more than SQLite takes to run it; keyed by whether
# the request revalidates a copy it has (then the file's length only: a 304 never reads
# the file).
_WITH_SIGNED_IN = {False: _signed_in_and_certificate(_certificate.c.pdf),
                   True: _signed_in_and_certificate(func.length(_certificate.c.pdf))}
_ALONE = {False: _certificate_alone(_certificate.c.pdf),
          True: _certificate_alone(func.length(_certificate.c.pdf))}
_PDF = select(_certificate.c.pdf).where(_certificate.c.code == bindparam("code"))


def _with_the_file(rows: list) -> tuple[list, object]:
    """The signed-in person's rows, and the certificate's row that has the file (or its
    length); None if there is no such certificate."""
    return rows, next((row for row in rows if row.pdf is not None), None)


def _certificate_to_send(code: str, revalidating: bool):
    """The certificate's row (holder, track, hash, revocation, file or its length) if the
    request is signed in and there is such a certificate; else None. Read with the
    signed-in person where the session names them: one round trip rather than two."""
    def with_signed_in_person(session_token: str):
        return _with_the_file(_WITH_SIGNED_IN[revalidating].rows(
            db.session, {"session_token": session_token, "code": code}))

    def alone():  # for a person the loader read (a remember-me cookie), if anyone
        if not current_user.is_authenticated:
            return None
        return _ALONE[revalidating].first(db.session, {"code": code})

    read_with_signed_in_person("certificate", with_signed_in_person)
    return kept_or_read("certificate", alone)


@bp.get("/certificates/<code>.pdf")
@reads_only
def download(code: str):
    """A stored certificate, to its holder and to those who may see the holder, unless it
    was revoked; else 404."""
    revalidating = bool(request.if_none_match)
    row = _certificate_to_send(code, revalidating)
    if row is None or not row.pdf:  # unknown, or erased with a leaver's details (b"")
        abort(404)
    if row.revoked_at is not None:  # withdrawn: no longer handed out, to anyone
        abort(404)
    viewer = current_user._get_current_object()  # once through the proxy, not per attribute
    if not viewer.is_authenticated or \
            not may_see_person(viewer, _Holder(row.holder_id, row.holder_school_id)):
        abort(404)
    filename = f"certificate-{row.track_id}-{codes.display(code)}.pdf"
    if revalidating:  # a stale copy (rare): read the bytes only now they are needed
        return send_pdf(lambda: db.session.connection().scalar(_PDF, {"code": code}),
                        filename, row.sha256)
    return send_pdf(row.pdf, filename, row.sha256)


@bp.get("/verify")
def verify_form():
    # Not rate limited: the form and a typed code's check of its own shape touch no data;
    # a well-formed code is sent on to verify_page, which is limited and does the lookup.
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
