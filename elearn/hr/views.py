"""HR and head teachers: the completion overview, the people list and its exports, a
person's page, reminders sent by hand and marking a leaver. The staff import is in
elearn.people, reviews and the cycle's certificates in elearn.cycles.

Every view: load → check access (elearn.auth.access) → act → commit once; emails go after
the commit.
"""

from __future__ import annotations

from datetime import date

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

from elearn.audit import Actor
from elearn.auth.access import (
    may_mark_leaver,
    may_see_school,
    person_to_manage_or_404,
    roles_required,
    school_to_manage_or_404,
    schools_to_see,
)
from elearn.certification.issuing import issue_missing_certificates
from elearn.certification.services import (
    held_tracks,
    my_certificates,
    name_problem,
    record_completions,
)
from elearn.current import audit, content, current_cycle_or_404, renderer
from elearn.cycles.rules import current_cycle, deadline
from elearn.extensions import db
from elearn.hr import exports
from elearn.hr import reminders as reminder_rules
from elearn.hr.completion import TrackState, completion, completion_groups, without_cyclic_gc
from elearn.hr.forms import ActionForm, LeaverForm, RemindForm
from elearn.hr.people_list import (
    SORT_KEYS,
    STATUS_FILTERS,
    Page,
    PeopleFilter,
    school_shown,
    sort_people,
    visible_schools,
)
from elearn.hr.summary import summarise_groups
from elearn.models import MANUAL, ROLE_LABELS, Attempt, Person, ReviewCycle, Role, utcnow
from elearn.people import leavers
from elearn.quiz.passes import carried_over
from elearn.wording import people_count

bp = Blueprint("hr", __name__, url_prefix="/hr", template_folder="templates")

ROLE_FILTERS = (Role.STAFF, Role.LEADER, Role.GOVERNOR)
VIEWERS = (Role.HR, Role.LEADER)


# Completion overview and the people list --------------------------------------------------


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    cycle = current_cycle(db.session)
    scope = schools_to_see(current_user)
    schools = visible_schools(db.session, scope)
    summary = None
    if cycle is not None:
        groups = completion_groups(db.session, content(), cycle, date.today(), scope)
        summary = summarise_groups(groups, schools, content().tracks)
        # The central team appears only when someone there has training to do.
        summary.schools = [s for s in summary.schools if s.overall.people or len(schools) == 1]
    return render_template(
        "hr/overview.html", cycle=cycle, summary=summary, people_url=url_for("hr.people"),
        deadline=deadline(cycle, date.today()) if cycle else None,
        tracks=content().tracks, trust_wide=scope is None)


def _filters(schools: list[tuple[int, str]]) -> tuple[PeopleFilter, dict[str, str]]:
    """The filters in the query string; values that mean nothing are ignored, a school
    outside the viewer's scope answers 404."""
    people_filter, query = PeopleFilter.from_args(
        request.args, {r.value for r in ROLE_FILTERS}, {t.id for t in content().tracks})
    if people_filter.school_id is not None and \
            people_filter.school_id not in {sid for sid, _ in schools}:
        abort(404)
    return people_filter, query


def _filtered_rows(cycle):
    scope = schools_to_see(current_user)
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
    page = Page.of(len(rows), request.args.get("page", 1, type=int))
    return render_template(
        "hr/people.html", cycle=cycle, deadline=deadline(cycle, date.today()),
        rows=rows[page.start:page.end], total=len(rows), first=page.start + 1,
        page=page.number, pages=page.pages, schools=schools,
        school_name=school_shown(schools, people_filter.school_id), filters=people_filter,
        query=query, sort=sort, descending=descending, tracks=content().tracks,
        track_titles={t.id: t.title for t in content().tracks}, roles=ROLE_FILTERS,
        statuses=STATUS_FILTERS, remind_form=RemindForm(),
        incomplete=sum(r.status is not TrackState.COMPLETE for r in rows))


EXPORT_FORMATS = {
    "csv": (exports.to_csv, "text/csv"),  # Flask adds "; charset=utf-8" to text types
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _export(kind: str) -> Response:
    """The filtered people list as a file, audited with its filters; never cached."""
    cycle = current_cycle_or_404()
    rows, schools, people_filter = _filtered_rows(cycle)[:3]
    audit("export-people", None, format=kind, rows=len(rows),
          filters={k: v for k, v in request.args.items() if v})
    db.session.commit()
    write, mimetype = EXPORT_FORMATS[kind]
    response = Response(write(rows, content()), mimetype=mimetype)
    filename = exports.export_filename(kind, school_shown(schools, people_filter.school_id),
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


# One person -------------------------------------------------------------------------------


@bp.get("/people/<int:person_id>")
@roles_required(*VIEWERS)
def person(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not may_see_school(current_user, person.school_id):
        abort(404)
    return _person_page(person, LeaverForm())


def _person_history(person: Person) -> dict:
    """The person's attempts in every cycle and the reminders sent to them."""
    attempts = list(db.session.scalars(
        select(Attempt).where(Attempt.person_id == person.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())))
    cycles = {c.id: c for c in db.session.scalars(select(ReviewCycle).where(
        ReviewCycle.id.in_({a.cycle_id for a in attempts})))}
    log = reminder_rules.log_for(db.session, person.id)
    senders = {p.id: p.name for p in db.session.scalars(
        select(Person).where(Person.id.in_({r.sent_by_id for r in log if r.sent_by_id})))}
    return {"attempts": attempts, "cycles": cycles, "reminders": log, "senders": senders}


def _person_page(person: Person, leaver_form: LeaverForm, status: int = 200):
    cycle = current_cycle(db.session)
    found = completion(db.session, content(), cycle, date.today(), None, {person.id}) \
        if cycle is not None else []
    can_mark_leaver = current_user.has_role(Role.HR) and person.erased_at is None \
        and may_mark_leaver(current_user, person)
    return render_template(
        "hr/person.html", person=person, cycle=cycle, row=found[0] if found else None,
        carried=carried_over(db.session, person.id, cycle.id) if cycle else {},
        units=content().units, track_titles={t.id: t.title for t in content().tracks},
        certificates=my_certificates(db.session, person.id, cycle, date.today()),
        held=held_tracks(db.session, person.id, cycle.id) if cycle else {},
        name_problem=name_problem(person), issue_form=ActionForm(),
        kind_labels=reminder_rules.KIND_LABELS, remind_form=RemindForm(),
        role_labels=ROLE_LABELS, leaver_form=leaver_form if can_mark_leaver else None,
        retention_days=current_app.config["RETENTION_DAYS"], **_person_history(person)
    ), status


@bp.post("/people/<int:person_id>/certificates")
@roles_required(Role.HR)
def issue_certificates(person_id: int):
    """Issue the certificates held back while the person's name could not be printed, once
    HR has corrected it (by the staff import)."""
    person = person_to_manage_or_404(db.session, person_id)
    cycle = current_cycle_or_404()
    if ActionForm().validate_on_submit():
        problem = name_problem(person)
        if problem:
            flash(f"No certificate was issued: {problem.explanation}. Correct the name first.",
                  "error")
        else:
            record_completions(db.session, content(), person, cycle, date.today(), utcnow())
            db.session.commit()
            issued = issue_missing_certificates(db.session, content(), renderer, utcnow(),
                                                current_app.config["BASE_URL"], person_id)
            for certificate in issued:
                audit("certificate-issued-by-hr", f"certificate:{certificate.code}")
            db.session.commit()
            flash(f"Issued {len(issued)} certificate{'s' if len(issued) != 1 else ''} to "
                  f"{person.name}." if issued else
                  f"{person.name} has no certificate due.", "success" if issued else "info")
    return redirect(url_for("hr.person", person_id=person.id))


@bp.post("/people/<int:person_id>/leaver")
@roles_required(Role.HR)
def mark_leaver(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None or not may_mark_leaver(current_user, person):
        abort(404)
    form = LeaverForm()
    if not form.validate_on_submit():
        return _person_page(person, form, 422)  # the errors beside their fields
    try:
        leavers.mark_leaver(db.session, person, form.left_on.data)
    except leavers.PrivacyError as exc:
        db.session.rollback()
        form.left_on.errors = [str(exc)]
        return _person_page(person, form, 422)
    audit("leaver-marked", f"person:{person.id}", left_on=form.left_on.data.isoformat())
    db.session.commit()
    days = current_app.config["RETENTION_DAYS"]
    flash(f"{person.name} is marked as a leaver and can no longer sign in. Their personal "
          f"details will be erased {days} days after {form.left_on.data:%d %B %Y}.", "success")
    return redirect(url_for("hr.person", person_id=person.id))


# Reminders sent by hand -----------------------------------------------------------------


def _send_reminders(cycle: ReviewCycle, rows, where: str) -> None:
    """Send HR's reminder to each row (the same workflow as the daily job), then say how it
    went."""
    outcome = reminder_rules.send_reminders(
        db.session, reminder_rules.ReminderSettings.from_config(current_app.config),
        content(), cycle, [reminder_rules.Reminder(r, MANUAL) for r in rows],
        Actor(current_user.id, request.remote_addr), date.today(), utcnow())
    for reminder, why in outcome.failed:
        current_app.logger.warning("reminder to %s failed: %s", reminder.person.email, why)
    people = people_count(len(outcome.sent)) + where
    if outcome.sent and outcome.logged_only:
        flash(f"Not sent: no mail server is set up, so the reminder to {people} was written "
              "to the server log instead of being emailed. Nobody received it.", "error")
    elif outcome.sent:
        flash(f"Reminder sent to {people}.", "success")
    if outcome.failed:
        flash("The reminder could not be emailed to " + ", ".join(
            r.person.name for r, _ in outcome.failed) + ". The mail server did not accept "
            "it; try again later.", "error")


def _not_confirmed(form: RemindForm) -> str:
    return (form.confirm.errors or ["The form had expired: please try again."])[0] + \
        " No reminder was sent."


@bp.post("/people/<int:person_id>/remind")
@roles_required(Role.HR)
def remind_person(person_id: int):
    person = person_to_manage_or_404(db.session, person_id)
    cycle = current_cycle_or_404()
    form = RemindForm()
    if not form.validate_on_submit():
        flash(_not_confirmed(form), "error")
    else:
        found = completion(db.session, content(), cycle, date.today(), None, {person.id})
        if not found or found[0].status is TrackState.COMPLETE:
            flash(f"{person.name} has no training left to do in this review cycle, so no "
                  "reminder was sent.", "info")
        else:
            _send_reminders(cycle, found, "")
    return redirect(url_for("hr.person", person_id=person.id))


@bp.post("/schools/<int:school_id>/remind")
@roles_required(Role.HR)
def remind_school(school_id: int):
    school = school_to_manage_or_404(db.session, school_id)
    cycle = current_cycle_or_404()
    form = RemindForm()
    if not form.validate_on_submit():
        flash(_not_confirmed(form), "error")
    else:
        rows = [r for r in completion(db.session, content(), cycle, date.today(), {school_id})
                if r.status is not TrackState.COMPLETE]
        if not rows:
            flash(f"Everyone at {school.name} has completed their training; no reminders "
                  "were sent.", "info")
        else:
            _send_reminders(cycle, rows, f" at {school.name} who had not completed their "
                                         "training")
    if request.form.get("back") == "people":
        return redirect(url_for("hr.people", school=school_id, status="incomplete"))
    return redirect(url_for("hr.index"))
