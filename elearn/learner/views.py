"""The learner's home page and the policy to read."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from elearn.certification.issuing import (
    issue_certificates,
    issue_missing_certificates,
    missing_certificates,
)
from elearn.certification.services import my_certificates, name_problem, record_completions
from elearn.content.versions import units_to_retrain
from elearn.current import (
    audit,
    content,
    cycle_in_force_now,
    has_my_training_page,
    my_tracks,
    renderer,
)
from elearn.cycles.rules import (
    current_cycle,
    deadline,
    new_version_changes,
    policy_in_force,
)
from elearn.extensions import db, in_transactions, reads_only
from elearn.learner.acknowledgement import AcknowledgementClosed, acknowledge, acknowledgement
from elearn.learner.forms import AcknowledgeForm
from elearn.learner.reading import reading_minutes
from elearn.models import Person, utcnow
from elearn.people.personal_data import personal_data
from elearn.quiz.attempts import attempts_for, progress
from elearn.quiz.next_unit import minutes_left, next_unit, time_left
from elearn.quiz.progress_pages import my_carried_over, signed_in_with_carried_over
from elearn.wording import version_words

bp = Blueprint("learner", __name__, template_folder="templates")


def _issue_missing_certificates(person_id: int) -> None:
    """A completion left without its certificate (a crash, a render error) is issued now,
    each certificate stored in a transaction of its own. Looking for one is a read, run
    alone like the page's others: a transaction only when there is one to issue."""
    pending = missing_certificates(db.session, person_id=person_id)
    if pending:
        with in_transactions():
            issue_certificates(db.session, content(), renderer, utcnow(),
                               current_app.config["BASE_URL"], pending)


@bp.get("/")
@reads_only
@signed_in_with_carried_over
def home():
    if not has_my_training_page():
        return redirect(url_for("hr.index"))
    me = current_user._get_current_object()  # read a dozen times: once through the proxy
    _issue_missing_certificates(me.id)
    cycle = cycle_in_force_now()
    trust_content = content()
    tracks = my_tracks()
    attempts = attempts_for(db.session, me.id, cycle.id) if cycle else []
    carried = my_carried_over(cycle) if cycle else {}
    track_rows = [(track, progress(trust_content, track.unit_ids, attempts, carried))
                  for track in tracks]
    acknowledged = acknowledgement(db.session, me.id, cycle.id) if cycle else None
    units_done = bool(track_rows) and all(row.passed for _, rows in track_rows for row in rows)
    changes = new_version_changes(db.session, trust_content, cycle)
    policy = policy_in_force(trust_content, cycle)
    return render_template(
        "learner/home.html", next_unit=next_unit, minutes_left=minutes_left,
        left=time_left(rows for _, rows in track_rows),
        reading_minutes=reading_minutes(policy), policy_version=policy.version,
        cycle=cycle,
        changes=changes,
        changed_units=units_to_retrain(trust_content, changes) if changes else frozenset(),
        carried_count=len(carried),
        deadline=deadline(cycle, date.today()) if cycle else None,
        track_rows=track_rows,
        acknowledged=acknowledged,
        policy_title=policy.title,
        units_done=units_done,
        all_done=units_done and acknowledged is not None,
        certificates=my_certificates(db.session, me.id, cycle, date.today()),
        # Only once training is done does an unprintable name hold a certificate back.
        name_problem=units_done and acknowledged is not None and name_problem(me),
    )


def _policy_page(form: AcknowledgeForm, status: int = 200):
    cycle = current_cycle(db.session)
    trust_content = content()
    policy = policy_in_force(trust_content, cycle)
    changes = new_version_changes(db.session, trust_content, cycle)
    return render_template(
        "learner/policy.html", policy=policy, cycle=cycle, changes=changes, form=form,
        reading_minutes=reading_minutes(policy),
        track_titles={t.id: t.title for t in trust_content.tracks},
        needs_training=bool(my_tracks()),
        deadline=deadline(cycle, date.today()) if cycle else None,
        acknowledged=acknowledgement(db.session, current_user.id, cycle.id) if cycle else None,
    ), status


@bp.get("/policy")
@login_required
def policy():
    return _policy_page(AcknowledgeForm())


@bp.post("/policy/acknowledge")
@login_required
def acknowledge_policy():
    """Record "I have read and understood" for the version in force; this may complete a
    track whose units are already passed."""
    form = AcknowledgeForm()
    cycle = current_cycle(db.session)
    if cycle is None:
        flash("No review of the policy has been recorded yet, so there is nothing to "
              "acknowledge. HR will let you know when training opens.", "error")
        return redirect(url_for("learner.policy"))
    if not form.validate_on_submit():
        return _policy_page(form, 422)
    person = db.session.get(Person, current_user.id)
    try:
        record = acknowledge(db.session, person, cycle, date.today(), utcnow())
    except AcknowledgementClosed as exc:
        flash(str(exc), "error")
        return redirect(url_for("learner.policy"))
    completed = record_completions(db.session, content(), person, cycle, date.today(),
                                   utcnow())
    audit("policy-acknowledged", f"person:{person.id}", version=record.policy_version,
          cycle=cycle.id)
    person_id, version = person.id, record.policy_version
    db.session.commit()
    issued = issue_missing_certificates(db.session, content(), renderer, utcnow(),
                                        current_app.config["BASE_URL"],
                                        person_id=person_id) if completed else []
    message = ("Thank you: you have confirmed you have read the policy "
               f"({version_words(version)}).")
    if issued:
        message += " Your training is complete and your certificate is ready below."
    flash(message, "success")
    return redirect(url_for("learner.home") + ("#certs" if issued else ""))


@bp.get("/my-data")
@login_required
def my_data():
    """Everything elearn holds about the signed-in person, as a page."""
    person = db.session.get(Person, current_user.id)
    return render_template("learner/my_data.html", data=personal_data(db.session, person),
                           unit_titles={u.id: u.title for u in content().units.values()})


@bp.get("/my-data.json")
@login_required
def my_data_json():
    person = db.session.get(Person, current_user.id)
    data = personal_data(db.session, person)
    audit("personal-data-downloaded", f"person:{person.id}")
    db.session.commit()
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="my-elearn-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
