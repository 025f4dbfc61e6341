"""Taking a unit: introduction, one question at a time, check answers, submit, results."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from elearn.auth.sessions import kept_or_read, login_required_reading
from elearn.certification.issuing import issue_missing_certificates
from elearn.certification.services import record_completions
from elearn.content.model import Question
from elearn.current import (
    content,
    cycle_in_force_now,
    cycle_in_force_or_404,
    cycle_or_404,
    my_tracks,
    renderer,
)
from elearn.cycles.rules import deadline, policy_in_force
from elearn.extensions import db, each_statement_alone, reads_only
from elearn.models import AnyCycle, Attempt, ReviewCycle, SignedInPerson, utcnow
from elearn.quiz import attempts as service
from elearn.quiz.forms import kept_input, response_from_form
from elearn.quiz.next_unit import next_unit_after
from elearn.quiz.on_screen import signed_in_and_attempt_on_screen
from elearn.quiz.passes import carried_over
from elearn.quiz.progress_pages import my_carried_over, signed_in_with_carried_over

bp = Blueprint("quiz", __name__, template_folder="templates")


def _person() -> SignedInPerson:
    """The signed-in person, as the quiz's rules need them (id, roles, name, school)."""
    return current_user._get_current_object()


def _mine_or_404(attempt):
    """The attempt, if the signed-in person's; else 404 (as for no attempt at all)."""
    if attempt is None or attempt.person_id != current_user.id:
        abort(404)
    return attempt


def _my_attempt(attempt_id: int) -> Attempt:
    return _mine_or_404(service.attempt_with_answers(db.session, attempt_id))


def _my_attempt_on_screen(attempt_id: int) -> service.AttemptOnScreen:
    """The signed-in person's attempt, with its answers, to show; else 404. Read with the
    person if the page is `_signed_in_with_attempt` (once: a second call reads it again)."""
    return _mine_or_404(kept_or_read(
        "attempt_on_screen", lambda: service.attempt_on_screen(db.session, attempt_id)))


# login_required, for a page showing an attempt: the signed-in person is read in the
# attempt's statement, a round trip less on every question page and answer. Whose the
# attempt is, the page decides.
_signed_in_with_attempt = login_required_reading(
    "attempt_on_screen", lambda session_token, attempt_id, **_:
    signed_in_and_attempt_on_screen(db.session, session_token, attempt_id))


@bp.get("/units/<unit_id>")
@reads_only
@signed_in_with_carried_over
def unit(unit_id: str):
    trust_content = content()
    if not any(unit_id in t.unit_ids for t in my_tracks()):
        abort(404)
    cycle = cycle_in_force_or_404()
    mine = service.attempts_for(db.session, current_user.id, cycle.id, unit_id)
    [row] = service.progress(trust_content, [unit_id], mine, my_carried_over(cycle))
    return render_template("quiz/unit.html", row=row, unit=row.unit, attempts=mine,
                           pass_mark=trust_content.pass_mark_for(unit_id),
                           deadline=deadline(cycle, date.today()))


@bp.post("/units/<unit_id>/start")
@each_statement_alone  # reads, then one INSERT that a racing start cannot duplicate
@login_required
def start(unit_id: str):
    # The CSRF token was checked by CSRFProtect before this view (as on every POST): a
    # FlaskForm here would only check it again.
    cycle = cycle_in_force_or_404()
    try:
        started = service.begin_attempt(db.session, content(), _person(), cycle, unit_id,
                                        date.today(), utcnow())
    except service.AttemptNotFound:
        abort(404)
    except service.AttemptError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quiz.unit", unit_id=unit_id))
    db.session.commit()
    return redirect(url_for("quiz.question", attempt_id=started.attempt_id,
                            number=started.number))


def _question_of(attempt: Attempt | service.AttemptOnScreen, number: int) -> Question:
    """The attempt's question at this position (from 1), else 404."""
    if not 1 <= number <= len(attempt.question_ids):
        abort(404)
    return content().units[attempt.unit_id].question(attempt.question_ids[number - 1])


def _question_context(attempt: Attempt | service.AttemptOnScreen, number: int) -> dict:
    question = _question_of(attempt, number)
    response = attempt.response_for(question.id)
    return {
        "attempt": attempt,
        "unit": content().units[attempt.unit_id],
        "number": number,
        "total": len(attempt.question_ids),
        "question": question,
        "shown": [question.option(o) for o in attempt.option_order[question.id]],
        "chosen": list(response) if response else [],
        # An ordering answer is stored as the steps in order: step → position.
        "positions": {option_id: n for n, option_id in enumerate(response, 1)}
        if response else {},
        "answered": sum(attempt.response_for(qid) is not None for qid in attempt.question_ids),
    }


def _save_posted_answer(attempt: service.AttemptOnScreen, question: Question,
                        now: datetime) -> tuple[list[str], str | None, int]:
    """Read the posted answer and keep it: the response, any error, and the page's status."""
    response, error = response_from_form(question, attempt.option_order[question.id],
                                         request.form)
    if error is not None:
        return response, error, 422
    try:
        service.keep_answer(db.session, content(), attempt, cycle_or_404(attempt.cycle_in_force),
                            question.id, response, date.today(), now)
    except service.AttemptSubmitted:
        raise  # from another tab, since the page read the attempt: the result is shown
    except service.AttemptError as exc:
        db.session.rollback()
        return response, str(exc), 409
    db.session.commit()
    return response, None, 200


@bp.route("/attempts/<int:attempt_id>/questions/<int:number>", methods=["GET", "POST"])
@each_statement_alone  # a GET reads; a POST reads, then saves in one statement
@_signed_in_with_attempt
def question(attempt_id: int, number: int):
    if request.method != "POST":  # GET, and HEAD (which CSRFProtect does not check)
        shown = _my_attempt_on_screen(attempt_id)
        if shown.submitted:
            return redirect(url_for("quiz.result", attempt_id=attempt_id))
        return render_template("quiz/question.html", error=None,
                               **_question_context(shown, number))
    # Posted (its CSRF token checked by CSRFProtect).
    attempt = _my_attempt_on_screen(attempt_id)
    if attempt.submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    question = _question_of(attempt, number)
    unit_id, total, option_order = attempt.unit_id, len(attempt.question_ids), \
        attempt.option_order[question.id]
    try:
        response, error, status = _save_posted_answer(attempt, question, utcnow())
    except service.AttemptSubmitted:
        db.session.rollback()
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    if request.form.get("go") == "back" and (error is None or not response):
        # Going back never demands an answer; anything given was saved above.
        return redirect(url_for("quiz.question", attempt_id=attempt_id,
                                number=max(number - 1, 1)) if number > 1
                        else url_for("quiz.unit", unit_id=unit_id))
    if error is None:
        if number < total:
            return redirect(url_for("quiz.question", attempt_id=attempt_id,
                                    number=number + 1))
        return redirect(url_for("quiz.check", attempt_id=attempt_id))
    # The page again, with the problem and what was given: nothing of it is lost. Read
    # again: a refused save has rolled back.
    ctx = _question_context(_my_attempt_on_screen(attempt_id), number)
    ctx["chosen"] = response or ctx["chosen"]
    ctx.update(kept_input(question, option_order, request.form))
    return render_template("quiz/question.html", error=error, **ctx), status


@bp.get("/attempts/<int:attempt_id>/check")
@reads_only
@_signed_in_with_attempt
def check(attempt_id: int):
    attempt = _my_attempt_on_screen(attempt_id)
    if attempt.submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    unit = content().units[attempt.unit_id]
    rows = []
    for n, qid in enumerate(attempt.question_ids, 1):
        q = unit.question(qid)
        response = attempt.response_for(qid)
        rows.append((n, q, [q.option(o) for o in response] if response is not None else None))
    return render_template("quiz/check.html", attempt=attempt, unit=unit, rows=rows,
                           error=request.args.get("missing"))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    # The CSRF token: checked by CSRFProtect. Nothing of the attempt is read here: the
    # service reads it once it holds its row (hold_attempt), and refuses another's.
    person, cycle, now = _person(), cycle_in_force_or_404(), utcnow()
    try:
        result = service.submit_attempt(db.session, content(), person, cycle, attempt_id,
                                        date.today(), now)
    except service.AttemptNotFound:
        abort(404)
    except service.MissingAnswers as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quiz.check", attempt_id=attempt_id))
    except service.AttemptError as exc:
        unit_id = db.session.get(Attempt, attempt_id).unit_id  # loaded by the service
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quiz.unit", unit_id=unit_id))
    completed = record_completions(db.session, content(), person, cycle, date.today(),
                                   now) if result.passed else []
    person_id = person.id
    db.session.commit()
    # Rendered after the commit: no other learner's answer waits for a certificate.
    issued = issue_missing_certificates(db.session, content(), renderer, now,
                                        current_app.config["BASE_URL"],
                                        person_id=person_id) if completed else []
    for certificate in issued:
        flash(Markup('You have completed the {}. <a href="{}">Download your certificate '
                     '(PDF)</a>; it is also on your home page.').format(
            certificate.track_title,
            url_for("certificates.download", code=certificate.code)), "success")
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/result")
@reads_only
@login_required
def result(attempt_id: int):
    attempt = _my_attempt(attempt_id)
    if attempt.result is None:
        return redirect(url_for("quiz.check", attempt_id=attempt.id))
    trust_content = content()
    unit = trust_content.units.get(attempt.unit_id)
    rows = []
    for n, qid in enumerate(attempt.question_ids, 1):
        q = unit.question_map.get(qid) if unit else None
        answer = attempt.answer_for(qid)
        rows.append({
            "number": n,
            "question": q,
            "chosen": [q.option(o) for o in answer.response if o in q.option_ids]
            if (q and answer) else [],
            "correct": bool(attempt.result.marks.get(qid)),
        })
    # Quote the words of the version the attempt's cycle was on; a clause only the newer
    # text has is quoted from there.
    current = cycle_in_force_now()
    cycle = current if current is not None and current.id == attempt.cycle_id \
        else db.session.get(ReviewCycle, attempt.cycle_id)
    policy = policy_in_force(trust_content, cycle)
    clauses = {**trust_content.policy.clauses, **policy.clauses}
    sections = {s.id: s.title for p in (trust_content.policy, policy) for s in p.sections}
    return render_template("quiz/result.html", attempt=attempt, unit=unit, rows=rows,
                           result=attempt.result, clauses=clauses, sections=sections,
                           next_row=_next_unit_after(attempt, current))


def _next_unit_after(attempt: Attempt, cycle: AnyCycle | None):
    """After a pass in the current cycle (`cycle`), the unit to offer next (quiz.next_unit);
    None when the attempt failed or is from an older cycle."""
    if not attempt.result.passed or cycle is None or cycle.id != attempt.cycle_id:
        return None
    return next_unit_after(content(), my_tracks(), attempt.unit_id,
                           service.attempts_for(db.session, attempt.person_id, cycle.id),
                           carried_over(db.session, attempt.person_id, cycle.id))
