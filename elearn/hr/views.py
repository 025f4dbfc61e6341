"""HR and head teachers: completion dashboard, people, exports, staff import, reminders
and leavers. Recording reviews and the cycle's certificates are in elearn.reviews.

Every view: load → check access (visible_school_ids, the one scoping rule) → act → commit
once; emails go after the commit.
"""

from __future__ import annotations

from datetime import date, timedelta
from math import ceil

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from elearn import privacy
from elearn.auth.access import can_see_person, hr_school_ids, roles_required, visible_school_ids
from elearn.auth.tokens import INVITE
from elearn.certification.services import (
    complete_tracks,
    held_tracks,
    my_certificates,
    name_problem,
)
from elearn.cycles import current_cycle, deadline
from elearn.extensions import db
from elearn.hr import exports, importing
from elearn.hr import reminders as reminder_rules
from elearn.hr.completion import (
    SORT_KEYS,
    STATUS_FILTERS,
    PeopleFilter,
    TrackState,
    completion,
    sort_people,
    summarise,
    visible_schools,
    without_cyclic_gc,
)
from elearn.hr.forms import (
    ActionForm,
    ConfirmImportForm,
    ImportForm,
    LeaverForm,
)
from elearn.mail import MailSettings
from elearn.models import (
    MANUAL,
    ROLE_LABELS,
    Attempt,
    Person,
    ReviewCycle,
    Role,
    School,
    StaffImport,
    utcnow,
)
from elearn.people import PersonError, people_count
from elearn.quiz.attempts import carried_over
from elearn.web import audit, content, renderer

bp = Blueprint("hr", __name__, url_prefix="/hr", template_folder="templates")

PAGE_SIZE = 50
ROLE_FILTERS = (Role.STAFF, Role.LEADER, Role.GOVERNOR)
VIEWERS = (Role.HR, Role.LEADER)
IMPORT_HOURS = 24


@bp.app_template_filter("short_date")
def short_date(value) -> str:
    return f"{value.day} {value:%b %Y}"


def _scope() -> set[int] | None:
    return visible_school_ids(current_user)


def _in_scope(school_id: int) -> bool:
    scope = _scope()
    return scope is None or school_id in scope


# Completion dashboard -------------------------------------------------------------------


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    cycle = current_cycle(db.session)
    scope = _scope()
    schools = visible_schools(db.session, scope)
    summary = None
    if cycle is not None:
        rows = completion(db.session, content(), cycle, date.today(), scope,
                          counts_only=True)
        summary = summarise(rows, schools, content().tracks)
        # The central team appears only when someone there has training to do.
        summary.schools = [s for s in summary.schools if s.overall.people or len(schools) == 1]
    return render_template(
        "hr/overview.html", cycle=cycle, summary=summary, people_url=url_for("hr.people"),
        deadline=deadline(cycle, date.today()) if cycle else None,
        tracks=content().tracks, trust_wide=scope is None)


def _filters(schools: list[tuple[int, str]]) -> tuple[PeopleFilter, dict[str, str]]:
    """The filters in the query string; values that mean nothing are ignored, a school
    outside the viewer's scope answers 404."""
    args = request.args
    query: dict[str, str] = {}
    school_id = args.get("school", type=int)
    if school_id is not None:
        if school_id not in {sid for sid, _ in schools}:
            abort(404)
        query["school"] = str(school_id)
    role = args.get("role") if args.get("role") in {r.value for r in ROLE_FILTERS} else None
    track = args.get("track") if args.get("track") in {t.id for t in content().tracks} else None
    status = args.get("status") if args.get("status") in STATUS_FILTERS else None
    search = " ".join(args.get("q", "").split())[:100] or None
    for key, value in (("role", role), ("track", track), ("status", status), ("q", search)):
        if value:
            query[key] = value
    return PeopleFilter(school_id, role, track, status, search), query


def _filtered_rows(cycle):
    scope = _scope()
    schools = visible_schools(db.session, scope)
    people_filter, query = _filters(schools)
    narrowed = {people_filter.school_id} if people_filter.school_id is not None else scope
    rows = completion(db.session, content(), cycle, date.today(), narrowed)
    sort = request.args.get("sort") if request.args.get("sort") in SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    rows = _sort_filtered(rows, people_filter, sort, descending)
    return rows, schools, people_filter, query, sort, descending


@without_cyclic_gc
def _sort_filtered(rows, people_filter: PeopleFilter, sort: str, descending: bool):
    return sort_people((r for r in rows if people_filter.matches(r)), sort, descending)


@bp.get("/people")
@roles_required(*VIEWERS)
def people():
    cycle = current_cycle(db.session)
    if cycle is None:
        return render_template("hr/people.html", cycle=None, schools=[], rows=[])
    rows, schools, people_filter, query, sort, descending = _filtered_rows(cycle)
    pages = max(1, ceil(len(rows) / PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    school_name = _school_shown(schools, people_filter)
    return render_template(
        "hr/people.html", cycle=cycle, deadline=deadline(cycle, date.today()),
        rows=shown, total=len(rows), first=(page - 1) * PAGE_SIZE + 1, page=page,
        pages=pages, schools=schools, school_name=school_name, filters=people_filter,
        query=query, sort=sort, descending=descending, tracks=content().tracks,
        track_titles={t.id: t.title for t in content().tracks}, roles=ROLE_FILTERS,
        statuses=STATUS_FILTERS, remind_form=ActionForm(),
        incomplete=sum(r.status is not TrackState.COMPLETE for r in rows))


def _school_shown(schools: list[tuple[int, str]], people_filter) -> str | None:
    """The school a list is about: the one filtered on, or the viewer's only school (a head
    teacher's, filtered or not); None for several."""
    return dict(schools).get(people_filter.school_id) or (
        schools[0][1] if len(schools) == 1 else None)


EXPORT_FORMATS = {
    "csv": (exports.to_csv, "text/csv"),  # Flask adds "; charset=utf-8" to text types
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _export(kind: str) -> Response:
    """The filtered people list as a file, audited with its filters; never cached."""
    cycle = current_cycle(db.session) or abort(404)
    rows, schools, people_filter = _filtered_rows(cycle)[:3]
    audit("export-people", None, format=kind, rows=len(rows),
          filters={k: v for k, v in request.args.items() if v})
    db.session.commit()
    write, mimetype = EXPORT_FORMATS[kind]
    response = Response(write(rows, content()), mimetype=mimetype)
    filename = exports.export_filename(kind, _school_shown(schools, people_filter),
                                       cycle.review_date, date.today())
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/people.csv")
@roles_required(*VIEWERS)
def people_csv():
    return _export("csv")


@bp.get("/people.xlsx")
@roles_required(*VIEWERS)
def people_xlsx():
    return _export("xlsx")


@bp.get("/people/<int:person_id>")
@roles_required(*VIEWERS)
def person(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not _in_scope(person.school_id):
        abort(404)
    return _person_page(person, LeaverForm())


def _person_page(person: Person, leaver_form: LeaverForm, status: int = 200):
    cycle = current_cycle(db.session)
    row = None
    if cycle is not None:
        found = completion(db.session, content(), cycle, date.today(), None, {person.id})
        row = found[0] if found else None
    attempts = list(db.session.scalars(
        select(Attempt).where(Attempt.person_id == person.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())))
    cycles = {c.id: c for c in db.session.scalars(select(ReviewCycle).where(
        ReviewCycle.id.in_({a.cycle_id for a in attempts})))}
    log = reminder_rules.log_for(db.session, person.id)
    senders = {p.id: p.name for p in db.session.scalars(
        select(Person).where(Person.id.in_({r.sent_by_id for r in log if r.sent_by_id})))}
    return render_template(
        "hr/person.html", person=person, cycle=cycle, row=row, attempts=attempts,
        cycles=cycles,
        carried=carried_over(db.session, person.id, cycle.id) if cycle else {},
        units=content().units, track_titles={t.id: t.title for t in content().tracks},
        certificates=my_certificates(db.session, person.id, date.today()),
        held=held_tracks(db.session, person.id, cycle.id) if cycle else {},
        name_problem=name_problem(person), issue_form=ActionForm(),
        reminders=log, senders=senders, kind_labels=reminder_rules.KIND_LABELS,
        remind_form=ActionForm(), role_labels=ROLE_LABELS,
        leaver_form=leaver_form if current_user.has_role(Role.HR)
        and person.id != current_user.id and person.erased_at is None else None,
        retention_days=current_app.config["RETENTION_DAYS"]), status


# Reminders sent by hand -----------------------------------------------------------------


def _send_reminders(cycle, rows, by: Person) -> tuple[int, list[str], bool]:
    """Log a manual reminder for each row, commit, then email; failures leave the log.
    Returns how many went, the names it failed for, and whether they were only written to
    the server's log (no mail server set up)."""
    today = date.today()
    settings = MailSettings.from_config(current_app.config)
    logged_only = not settings.configured
    kept = reminder_rules.record(
        db.session, cycle, [reminder_rules.Reminder(r, MANUAL) for r in rows], utcnow(), by.id,
        logged_only=logged_only)
    audit("reminders-sent", f"cycle:{cycle.id}", kind=MANUAL,
          people=[r.person.id for r in kept], logged_only=logged_only)
    db.session.commit()
    sent, failed = reminder_rules.deliver(
        settings, kept, cycle, content(), today,
        current_app.config["TRUST_NAME"], current_app.config["BASE_URL"])
    if failed:
        reminder_rules.forget(db.session, [r.log_id for r, _ in failed])
        db.session.commit()
        for reminder, why in failed:
            current_app.logger.warning("reminder to %s failed: %s", reminder.person.email, why)
    return len(sent), [r.person.name for r, _ in failed], logged_only


def _flash_sent(sent: int, failed: list[str], logged_only: bool, where: str) -> None:
    people = people_count(sent) + where
    if sent and logged_only:
        flash(f"Not sent: no mail server is set up, so the reminder to {people} was written "
              "to the server log instead of being emailed. Nobody received it.", "error")
    elif sent:
        flash(f"Reminder sent to {people}.", "success")
    if failed:
        flash("The reminder could not be emailed to " + ", ".join(failed) + ". The mail "
              "server did not accept it; try again later.", "error")


@bp.post("/people/<int:person_id>/remind")
@roles_required(Role.HR)
def remind_person(person_id: int):
    person = db.session.get(Person, person_id)
    cycle = current_cycle(db.session)
    if person is None or cycle is None or not _in_scope(person.school_id):
        abort(404)
    if ActionForm().validate_on_submit():
        found = completion(db.session, content(), cycle, date.today(), None, {person.id})
        if not found or found[0].status is TrackState.COMPLETE:
            flash(f"{person.name} has no training left to do in this review cycle, so no "
                  "reminder was sent.", "info")
        else:
            sent, failed, logged_only = _send_reminders(
                cycle, found, db.session.get(Person, current_user.id))
            _flash_sent(sent, failed, logged_only, "")
    return redirect(url_for("hr.person", person_id=person.id))


@bp.post("/people/<int:person_id>/certificates")
@roles_required(Role.HR)
def issue_certificates(person_id: int):
    """Issue the certificates held back while the person's name could not be printed, once
    HR has corrected it (by the staff import)."""
    person = db.session.get(Person, person_id)
    cycle = current_cycle(db.session)
    if person is None or cycle is None or not _in_scope(person.school_id):
        abort(404)
    if ActionForm().validate_on_submit():
        problem = name_problem(person)
        if problem:
            flash(f"No certificate was issued: {problem.explanation}. Correct the name first.",
                  "error")
        else:
            issued = complete_tracks(db.session, content(), renderer(), person, cycle,
                                     date.today(), utcnow(), current_app.config["BASE_URL"])
            for certificate in issued:
                audit("certificate-issued-by-hr", f"certificate:{certificate.code}")
            db.session.commit()
            flash(f"Issued {len(issued)} certificate{'s' if len(issued) != 1 else ''} to "
                  f"{person.name}." if issued else
                  f"{person.name} has no certificate due.", "success" if issued else "info")
    return redirect(url_for("hr.person", person_id=person.id))


def school_and_cycle_or_404(school_id: int) -> tuple[School, ReviewCycle]:
    """A school the viewer may act on, and the current cycle; 404 otherwise."""
    school = db.session.get(School, school_id)
    cycle = current_cycle(db.session)
    if school is None or cycle is None or not _in_scope(school_id):
        abort(404)
    return school, cycle


@bp.post("/schools/<int:school_id>/remind")
@roles_required(Role.HR)
def remind_school(school_id: int):
    school, cycle = school_and_cycle_or_404(school_id)
    if ActionForm().validate_on_submit():
        rows = [r for r in completion(db.session, content(), cycle, date.today(), {school_id})
                if r.status is not TrackState.COMPLETE]
        if not rows:
            flash(f"Everyone at {school.name} has completed their training; no reminders "
                  "were sent.", "info")
        else:
            sent, failed, logged_only = _send_reminders(
                cycle, rows, db.session.get(Person, current_user.id))
            _flash_sent(sent, failed, logged_only,
                        f" at {school.name} who had not completed their training")
    back = request.form.get("back")
    if back == "people":
        return redirect(url_for("hr.people", school=school_id, status="incomplete"))
    return redirect(url_for("hr.index"))


# Staff import ---------------------------------------------------------------------------


def _import_scope() -> set[int] | None:
    return hr_school_ids(current_user)


def _upload(upload_id: int) -> StaffImport:
    upload = db.session.get(StaffImport, upload_id)
    if upload is None or upload.uploaded_by_id != current_user.id:
        abort(404)
    return upload


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.HR)
def import_staff():
    form = ImportForm()
    errors: list[importing.RowError] = []
    if form.validate_on_submit():
        data = form.file.data.read(importing.MAX_BYTES + 1)
        try:
            if len(data) > importing.MAX_BYTES:
                raise PersonError("The file is larger than 10 MB. Split it by school.")
            text = importing.decode(data)
        except PersonError as exc:
            errors = [importing.RowError(None, str(exc))]
        else:
            plan = importing.plan_import(db.session, text, _import_scope(),
                                         form.deactivate_leavers.data, current_user.id)
            errors = plan.errors
            if plan.ok:
                upload = StaffImport(uploaded_by_id=current_user.id, text=text,
                                     filename=(form.file.data.filename or "staff.csv")[:255],
                                     deactivate_leavers=form.deactivate_leavers.data)
                db.session.add(upload)
                db.session.commit()
                return redirect(url_for("hr.import_preview", upload_id=upload.id))
    status = 422 if request.method == "POST" else 200
    return render_template("hr/import.html", form=form, errors=errors,
                           max_errors=200), status


def _plan_for(upload: StaffImport) -> importing.ImportPlan:
    return importing.plan_import(db.session, upload.text, _import_scope(),
                                 upload.deactivate_leavers, current_user.id)


@bp.get("/import/<int:upload_id>")
@roles_required(Role.HR)
def import_preview(upload_id: int):
    upload = _upload(upload_id)
    plan = None if upload.applied_at else _plan_for(upload)
    form = ConfirmImportForm(digest=plan.digest() if plan else "")
    return _render_preview(upload=upload, plan=plan, form=form,
                           expired=_expired(upload))


def _render_preview(**context) -> str:
    return render_template("hr/import_preview.html",
                           leaver_limit=importing.LEAVER_SHARE_LIMIT_PERCENT, **context)


def _expired(upload: StaffImport) -> bool:
    return utcnow() - upload.uploaded_at > timedelta(hours=IMPORT_HOURS)


@bp.post("/import/<int:upload_id>")
@roles_required(Role.HR)
def import_confirm(upload_id: int):
    upload = _upload(upload_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or upload.applied_at or _expired(upload):
        return redirect(url_for("hr.import_preview", upload_id=upload.id))
    # Validated again now: the database may have changed since the preview.
    plan = _plan_for(upload)
    if not plan.ok or plan.digest() != form.digest.data:
        flash("The people records changed since this preview was made. Check the preview "
              "again before confirming.", "error")
        return _render_preview(upload=upload, plan=plan,
                               form=ConfirmImportForm(digest=plan.digest()),
                               expired=False), 409
    impact = plan.leaver_impact
    if impact.needs_extra_confirmation and not form.understand_leavers.data:
        form.understand_leavers.errors = [
            f"Tick the box to confirm you understand {people_count(impact.total)} will be "
            "deactivated, or cancel "
            "and upload the file without \u201cDeactivate leavers\u201d ticked."]
        return _render_preview(upload=upload, plan=plan, form=form,
                               expired=False), 422
    added = importing.apply_import(db.session, plan)
    upload.applied_at = utcnow()
    upload.summary = (f"{len(plan.adds)} added, {len(plan.changes)} changed, "
                      f"{len(plan.leavers)} deactivated, {plan.unchanged} unchanged.")
    db.session.flush()
    audit("staff-imported", f"import:{upload.id}", summary=upload.summary,
          added=[p.id for p in added], deactivated=[x.person_id for x in plan.leavers])
    for change in plan.changes:  # role and detail changes, one event per person
        audit("person-changed", f"person:{change.person_id}", changes=list(change.what),
              via=f"import:{upload.id}")
    db.session.commit()
    failed = _invite(added)
    invited = len(added) - len(failed)
    flash(f"Import done: {upload.summary} Invitations were emailed to {invited} new "
          f"{'person' if invited == 1 else 'people'}.", "success")
    if failed:
        flash("The invitation could not be emailed to " + ", ".join(failed) + ".", "error")
    return redirect(url_for("hr.import_preview", upload_id=upload.id))


def _invite(people: list[Person]) -> list[str]:
    """Email each new person their invitation; returns the names it failed for."""
    from elearn.auth.views import send_password_link

    failed = []
    for new_person in people:
        try:
            send_password_link(new_person, INVITE)
        except OSError as exc:
            current_app.logger.warning("invitation to %s failed: %s", new_person.email, exc)
            failed.append(new_person.name)
    return failed


@bp.post("/people/<int:person_id>/leaver")
@roles_required(Role.HR)
def mark_leaver(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not can_see_person(current_user, person) or person.id == current_user.id:
        abort(404)
    form = LeaverForm()
    if not form.validate_on_submit():
        return _person_page(person, form, 422)  # the errors beside their fields
    try:
        privacy.mark_leaver(person, form.left_on.data)
    except privacy.PrivacyError as exc:
        db.session.rollback()
        form.left_on.errors = [str(exc)]
        return _person_page(person, form, 422)
    audit("leaver-marked", f"person:{person.id}", left_on=form.left_on.data.isoformat())
    db.session.commit()
    days = current_app.config["RETENTION_DAYS"]
    flash(f"{person.name} is marked as a leaver and can no longer sign in. Their personal "
          f"details will be erased {days} days after {form.left_on.data:%d %B %Y}.", "success")
    return redirect(url_for("hr.person", person_id=person.id))
