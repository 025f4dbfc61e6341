"""/hr/understanding (HR and administrators for the Trust, head teachers and DSLs for their
own school) and /hr/questions (HR and administrators), with their CSV exports.

Each view: check access (elearn.auth.access) → add newly submitted first attempts to the
anonymous totals and commit (the one write) → read the totals for the viewer's scope.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template
from flask_login import current_user

from elearn.auth.access import roles_required, schools_to_study
from elearn.current import content
from elearn.extensions import db, read_only_transaction
from elearn.models import Role
from elearn.understanding import exports
from elearn.understanding.measures import MIN_ANSWERS_TO_FLAG, MIN_PEOPLE
from elearn.understanding.service import load_question_stats, load_understanding
from elearn.understanding.tally import refresh_tallies

bp = Blueprint("understanding", __name__, url_prefix="/hr", template_folder="templates")

CLAUSE_VIEWERS = (Role.HR, Role.ADMIN, Role.LEADER)
# At most this many newly submitted first attempts are counted per page view (about a
# second's work on a busy machine); a trust's long history is counted over a few views.
REFRESH_LIMIT = 10_000
QUESTION_VIEWERS = (Role.HR, Role.ADMIN)


@bp.before_request
def _writes() -> None:
    # The totals are brought up to date first, so on SQLite the transaction must begin
    # IMMEDIATE even for GET (a deferred one could not upgrade under another writer).
    read_only_transaction.set(False)


def _refreshed_scope() -> tuple[set[int] | None, bool]:
    """The viewer's scope, and whether older answers are still to be counted."""
    scope = schools_to_study(current_user)
    counted = refresh_tallies(db.session, REFRESH_LIMIT)
    db.session.commit()
    return scope, counted >= REFRESH_LIMIT


def _place(data, scope: set[int] | None) -> str | None:
    """The name a single-school viewer's figures are about; None for the Trust."""
    if data is None or scope is None or len(data.schools) != 1:
        return None
    return next(iter(data.schools.values()))


@bp.get("/understanding")
@roles_required(*CLAUSE_VIEWERS)
def understanding_page():
    scope, still_counting = _refreshed_scope()
    data = load_understanding(db.session, content(), scope)
    return render_template("understanding/understanding.html", data=data,
                           place=_place(data, scope), still_counting=still_counting,
                           min_people=MIN_PEOPLE)


@bp.get("/understanding.csv")
@roles_required(*CLAUSE_VIEWERS)
def understanding_csv():
    scope = _refreshed_scope()[0]
    data = load_understanding(db.session, content(), scope)
    place = _place(data, scope)
    text = exports.understanding_csv(data.clauses if data else [], place or "Trust")
    return _attachment(text, exports.filename("understanding-by-clause", place, date.today()))


@bp.get("/questions")
@roles_required(*QUESTION_VIEWERS)
def questions_page():
    scope, still_counting = _refreshed_scope()
    cycle, stats = load_question_stats(db.session, content(), scope)
    return render_template("understanding/questions.html", cycle=cycle, stats=stats,
                           still_counting=still_counting,
                           min_people=MIN_PEOPLE, min_to_flag=MIN_ANSWERS_TO_FLAG)


@bp.get("/questions.csv")
@roles_required(*QUESTION_VIEWERS)
def questions_csv():
    stats = load_question_stats(db.session, content(), _refreshed_scope()[0])[1]
    return _attachment(exports.questions_csv(stats),
                       exports.filename("question-statistics", None, date.today()))


def _attachment(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
