"""Importing staff from a school's records: upload, preview, confirm. For HR, within the
schools they manage (elearn.auth.access)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.audit import Actor
from elearn.auth.access import roles_required, schools_to_manage
from elearn.auth.invitations import LinkSettings, send_invitations
from elearn.extensions import db
from elearn.models import Role, StaffImport, utcnow
from elearn.people import staff_import
from elearn.people.forms import ConfirmImportForm, ImportForm
from elearn.people.import_service import confirm_import, record_upload
from elearn.people.rules import PersonError
from elearn.people.staff_file import RowError, decode
from elearn.wording import people_count

bp = Blueprint("people", __name__, url_prefix="/hr", template_folder="templates")

IMPORT_HOURS = 24


def _actor() -> Actor:
    return Actor(current_user.id, request.remote_addr)


def _upload(upload_id: int) -> StaffImport:
    """The viewer's own upload; anybody else's looks missing (404)."""
    upload = db.session.get(StaffImport, upload_id)
    if upload is None or upload.uploaded_by_id != current_user.id:
        abort(404)
    return upload


def _read_upload(form: ImportForm) -> tuple[str | None, list[RowError]]:
    """The uploaded file's text, or why it cannot be read."""
    with form.file.data.stream as upload:  # a large upload is a temporary file: closed now
        data = upload.read(staff_import.MAX_BYTES + 1)
    try:
        if len(data) > staff_import.MAX_BYTES:
            raise PersonError("The file is larger than 10 MB. Split it by school.")
        return decode(data), []
    except PersonError as exc:
        return None, [RowError(None, str(exc))]


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.HR)
def import_staff():
    form = ImportForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        text, errors = _read_upload(form)
        if text is not None:
            plan = staff_import.plan_import(db.session, text, schools_to_manage(current_user),
                                            form.deactivate_leavers.data, current_user.id)
            errors = plan.errors
            if plan.ok:
                upload = record_upload(db.session, text, form.file.data.filename,
                                       form.deactivate_leavers.data, _actor())
                db.session.commit()
                return redirect(url_for("people.import_preview", upload_id=upload.id))
    status = 422 if request.method == "POST" else 200
    return render_template("people/import.html", form=form, errors=errors,
                           max_errors=200), status


def _plan_for(upload: StaffImport) -> staff_import.ImportPlan:
    return staff_import.plan_import(db.session, upload.text, schools_to_manage(current_user),
                                    upload.deactivate_leavers, current_user.id)


def _render_preview(**context) -> str:
    return render_template("people/import_preview.html",
                           leaver_limit=staff_import.LEAVER_SHARE_LIMIT_PERCENT, **context)


def _expired(upload: StaffImport) -> bool:
    return utcnow() - upload.uploaded_at > timedelta(hours=IMPORT_HOURS)


@bp.get("/import/<int:upload_id>")
@roles_required(Role.HR)
def import_preview(upload_id: int):
    upload = _upload(upload_id)
    plan = None if upload.applied_at else _plan_for(upload)
    form = ConfirmImportForm(digest=plan.digest() if plan else "")
    return _render_preview(upload=upload, plan=plan, form=form, expired=_expired(upload))


def _refusal(upload: StaffImport, plan: staff_import.ImportPlan, form: ConfirmImportForm):
    """The preview again, when the plan cannot be confirmed as it stands; None if it can."""
    if not plan.ok or plan.digest() != form.digest.data:
        flash("The people records changed since this preview was made. Check the preview "
              "again before confirming.", "error")
        return _render_preview(upload=upload, plan=plan,
                               form=ConfirmImportForm(digest=plan.digest()), expired=False), 409
    impact = plan.leaver_impact
    if impact.needs_extra_confirmation and not form.understand_leavers.data:
        form.understand_leavers.errors = [
            f"Tick the box to confirm you understand {people_count(impact.total)} will be "
            "deactivated, or cancel and upload the file without \u201cDeactivate leavers\u201d "
            "ticked."]
        return _render_preview(upload=upload, plan=plan, form=form, expired=False), 422
    return None


@bp.post("/import/<int:upload_id>")
@roles_required(Role.HR)
def import_confirm(upload_id: int):
    upload = _upload(upload_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or upload.applied_at or _expired(upload):
        return redirect(url_for("people.import_preview", upload_id=upload.id))
    # Validated again now: the database may have changed since the preview.
    plan = _plan_for(upload)
    refused = _refusal(upload, plan, form)
    if refused is not None:
        return refused
    outcome = confirm_import(db.session, upload, plan, _actor(), utcnow())
    db.session.commit()
    failed = send_invitations(LinkSettings.from_config(current_app.config), outcome.added)
    for person, why in failed:
        current_app.logger.warning("invitation to %s failed: %s", person.email, why)
    invited = len(outcome.added) - len(failed)
    new_people = f"{invited} new {'person' if invited == 1 else 'people'}"
    flash(f"Import done: {outcome.summary} " + (
        f"Invitations were emailed to {new_people}." if current_app.config.get("MAIL_SERVER")
        else f"No invitation was emailed (email is not set up): tell the {new_people} how "
        "to sign in yourself."), "success")
    if failed:
        flash("The invitation could not be emailed to " + ", ".join(
            p.name for p, _ in failed) + ".", "error")
    return redirect(url_for("people.import_preview", upload_id=upload.id))
