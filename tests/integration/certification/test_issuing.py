"""Certificates are rendered after the completion commits, and a missing one is repaired once.

Real SQLite files, real WeasyPrint renders: the renderer is only wrapped so that a test can
hold a render open (or make it fail) at a moment it chooses.
"""

import re
import threading

import pytest
from helpers import acknowledge, answer_unit, csrf_token, pass_unit, sign_in
from werkzeug.datastructures import MultiDict

from elearn.certification.issuing import issue_missing_certificates
from elearn.current import content, renderer
from elearn.models import Answer, Attempt, Certificate, Completion, Role, utcnow

WAIT = 20  # seconds: far longer than any request here takes unless it waits for a lock


@pytest.fixture
def real_render(app):
    """The app's renderer and its real render function, restored after the test."""
    the_renderer = renderer()
    original = the_renderer.render
    yield the_renderer, original
    the_renderer.render = original


def _one_track_to_go(app, db, make_person):
    """A signed-in client whose next submit completes the staff track."""
    client = app.test_client()
    person = make_person(Role.STAFF)
    sign_in(client, person.email)
    acknowledge(client)
    pass_unit(client, db, "friends")
    attempt_id, check = answer_unit(client, db, "approval")
    return client, person, attempt_id, csrf_token(check)


def test_another_learners_answer_commits_while_a_certificate_renders(
        app, db, cycle, make_person, real_render):
    the_renderer, original = real_render
    finisher, finisher_person, attempt_id, token = _one_track_to_go(app, db, make_person)
    other = app.test_client()
    other_person = make_person(Role.STAFF)
    sign_in(other, other_person.email)
    page = other.get("/units/friends")
    started = other.post("/units/friends/start", data={"csrf_token": csrf_token(page)})
    question_path = started.headers["Location"]
    other_attempt = db.session.get(Attempt, int(re.search(r"/attempts/(\d+)/",
                                                          question_path).group(1)))
    qid = other_attempt.question_ids[0]
    q = content().units["friends"].question(qid)
    answer = MultiDict([("csrf_token", csrf_token(other.get(question_path))), ("go", "next"),
                        *q.spec.form_fields(q.correct_ids, other_attempt.option_order[qid])])
    rendering, release = threading.Event(), threading.Event()

    def held_render(context):
        rendering.set()
        release.wait(WAIT)
        return original(context)  # the real render, once the test lets it go

    the_renderer.render = held_render
    responses = {}
    submit = threading.Thread(target=lambda: responses.update(submit=finisher.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token})))
    submit.start()
    try:
        assert rendering.wait(WAIT), "the submit never reached the render"
        # The completion is already committed while the render is still in progress.
        db.session.commit()  # a fresh snapshot for the test's own reads
        assert db.session.query(Completion).filter_by(person_id=finisher_person.id).count() == 1
        answering = threading.Thread(target=lambda: responses.update(
            answer=other.post(question_path, data=answer)))
        answering.start()
        answering.join(WAIT / 2)
        assert not answering.is_alive(), "the answer waited for the certificate's render"
        assert responses["answer"].status_code == 302
        db.session.commit()
        assert db.session.query(Answer).filter_by(attempt_id=other_attempt.id).count() == 1
        assert db.session.query(Certificate).count() == 0  # the render is still held
    finally:
        release.set()
        submit.join(WAIT)
    assert responses["submit"].status_code == 302
    db.session.commit()
    assert db.session.query(Certificate).filter_by(person_id=finisher_person.id).count() == 1


def _fail_render(_context):
    raise RuntimeError("the renderer broke")


def test_a_failed_render_keeps_the_completion_and_the_submit_still_succeeds(
        app, db, cycle, make_person, real_render):
    the_renderer, _ = real_render
    client, person, attempt_id, token = _one_track_to_go(app, db, make_person)
    the_renderer.render = _fail_render
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    assert db.session.query(Completion).filter_by(person_id=person.id).count() == 1
    assert db.session.query(Certificate).count() == 0


def test_the_holders_next_visit_issues_a_missing_certificate_once(
        app, db, cycle, make_person, real_render):
    the_renderer, original = real_render
    client, person, attempt_id, token = _one_track_to_go(app, db, make_person)
    the_renderer.render = _fail_render
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    the_renderer.render = original
    home = client.get("/")
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    assert f"/certificates/{certificate.code}.pdf" in home.get_data(as_text=True)
    client.get("/")
    assert db.session.query(Certificate).filter_by(person_id=person.id).count() == 1
    assert client.get(f"/certificates/{certificate.code}.pdf").data[:5] == b"%PDF-"


def test_repair_command_issues_a_missing_certificate_once_however_often_it_runs(
        app, db, cycle, make_person, runner, real_render):
    the_renderer, original = real_render
    client, person, attempt_id, token = _one_track_to_go(app, db, make_person)
    the_renderer.render = _fail_render
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    failed = runner.invoke(args=["certificates", "repair"])
    assert failed.exit_code == 1 and "1 completion(s) still without a certificate" in failed.output
    the_renderer.render = original
    db.session.commit()
    first = runner.invoke(args=["certificates", "repair"])
    second = runner.invoke(args=["certificates", "repair"])
    assert first.exit_code == 0 and "1 certificate(s) issued." in first.output
    assert second.exit_code == 0 and "0 certificate(s) issued." in second.output
    db.session.commit()
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    assert certificate.code in first.output and certificate.track_id == "staff"


def test_two_repairs_racing_store_one_certificate(app, db, cycle, make_person, real_render):
    the_renderer, original = real_render
    client, person, attempt_id, token = _one_track_to_go(app, db, make_person)
    the_renderer.render = _fail_render
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    both_rendering = threading.Barrier(2, timeout=WAIT)
    # WeasyPrint and Pango are not thread-safe with a shared font configuration (two renders
    # at once crashed the process in CI): the renders take turns; the race is in storing.
    one_render_at_a_time = threading.Lock()

    def render_together(context):
        both_rendering.wait()  # each has found the completion without a certificate
        with one_render_at_a_time:
            return original(context)

    the_renderer.render = render_together
    db.session.commit()
    issued = []

    def repair():
        with app.app_context():
            issued.extend(issue_missing_certificates(
                db.session, content(), renderer, utcnow(), "http://x"))
            db.session.remove()

    racers = [threading.Thread(target=repair) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(WAIT * 2)
    assert len(issued) == 1
    db.session.commit()
    [stored] = db.session.query(Certificate).filter_by(person_id=person.id).all()
    assert stored.code == issued[0].code
