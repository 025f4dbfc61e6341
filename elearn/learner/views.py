"""The learner's home page and the policy to read."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from elearn.certification.services import my_certificates
from elearn.cycles import current_cycle, deadline
from elearn.extensions import db
from elearn.quiz.attempts import UnitState, attempts_for, progress
from elearn.web import content

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
