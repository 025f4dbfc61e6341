"""The learner's home page and the policy to read."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from elearn.certification.services import my_certificates
from elearn.cycles import current_cycle, deadline
from elearn.extensions import db
from elearn.models import Person
from elearn.privacy import personal_data
from elearn.quiz.attempts import UnitState, attempts_for, progress
from elearn.web import audit, content

bp = Blueprint("learner", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home():
    cycle = current_cycle(db.session)
    trust_content = content()
    tracks = trust_content.tracks_for_roles({r.value for r in current_user.roles})
    attempts = attempts_for(db.session, current_user.id, cycle.id) if cycle else []
    track_rows = [(track, progress(trust_content, track.unit_ids, attempts))
                  for track in tracks]
    return render_template(
        "learner/home.html",
        cycle=cycle,
        deadline=deadline(cycle, date.today()) if cycle else None,
        track_rows=track_rows,
        all_done=bool(track_rows) and all(row.state is UnitState.PASSED
                                          for _, rows in track_rows for row in rows),
        certificates=my_certificates(db.session, current_user.id, date.today()),
    )


@bp.get("/policy")
@login_required
def policy():
    return render_template("learner/policy.html", policy=content().policy)


@bp.get("/my-data")
@login_required
def my_data():
    """Everything elearn holds about the signed-in person, as a page."""
    person = db.session.get(Person, current_user.id)
    return render_template("learner/my_data.html", data=personal_data(db.session, person))


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
