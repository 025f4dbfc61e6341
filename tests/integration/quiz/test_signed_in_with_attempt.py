"""The question and check pages read the signed-in person in the attempt's own statement:
who is signed in, and whose the attempt is, are decided as on every other page."""

from datetime import date

import pytest
from helpers import sign_in
from markupsafe import escape

from elearn.current import content
from elearn.models import Attempt, Person, Role, utcnow
from elearn.quiz import attempts as service


@pytest.mark.parametrize("page", ["questions/1", "check"])
def test_the_page_reads_the_person_and_the_attempt_in_one_statement(
        db, signed_in, cycle, trace_statements, page, start_attempt):
    client, person = signed_in(Role.STAFF)
    attempt_id = start_attempt(person, cycle).id
    statements_sent = trace_statements()
    response = client.get(f"/attempts/{attempt_id}/{page}")
    assert response.status_code == 200
    reading_the_person = [sql for sql in statements_sent if "session_token" in sql]
    assert len(reading_the_person) == 1
    assert "FROM person" in reading_the_person[0] and "attempt" in reading_the_person[0]
    assert not [sql for sql in statements_sent
                if "FROM attempt" in sql and "session_token" not in sql]


def test_a_person_made_inactive_is_sent_to_sign_in_from_the_question_page(
        db, signed_in, cycle, start_attempt):
    client, person = signed_in(Role.STAFF)
    attempt_id = start_attempt(person, cycle).id
    db.session.get(Person, person.id).active = False
    db.session.commit()
    response = client.get(f"/attempts/{attempt_id}/questions/1")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_signed_out_browser_is_sent_to_sign_in_from_the_question_page(
        db, app, make_person, cycle, start_attempt):
    attempt_id = start_attempt(make_person(Role.STAFF), cycle).id
    response = app.test_client().get(f"/attempts/{attempt_id}/questions/1")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_another_persons_attempt_is_not_found_on_the_question_or_check_page(
        db, signed_in, make_person, cycle, start_attempt):
    attempt_id = start_attempt(make_person(Role.STAFF), cycle).id
    client, _ = signed_in(Role.STAFF)
    assert client.get(f"/attempts/{attempt_id}/questions/1").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/check").status_code == 404


def test_a_browser_with_only_its_remember_me_cookie_opens_the_question_page(
        db, app, client, make_person, cycle, start_attempt):
    person = make_person(Role.STAFF)
    attempt_id = start_attempt(person, cycle).id
    sign_in(client, person.email, remember="y")
    browser = app.test_client()  # the session cookie is gone; the remember-me cookie kept
    name = app.config["REMEMBER_COOKIE_NAME"]
    browser.set_cookie(name, client.get_cookie(name).value)
    response = browser.get(f"/attempts/{attempt_id}/questions/1")
    assert response.status_code == 200
    assert "Question 1" in response.get_data(as_text=True)


def test_a_person_with_several_roles_sees_each_answer_once_on_the_check_page(
        db, signed_in, cycle, start_attempt):
    client, person = signed_in(Role.STAFF, Role.LEADER)  # a row per role and answer is read
    attempt_id = start_attempt(person, cycle).id
    unit = content().units["friends"]
    attempt = db.session.get(Attempt, attempt_id)
    for question_id in attempt.question_ids[:2]:
        service.save_answer(db.session, content(), person, cycle, attempt_id, question_id,
                            sorted(unit.question(question_id).correct_ids), date.today(),
                            utcnow())
    db.session.commit()
    page = client.get(f"/attempts/{attempt_id}/check").get_data(as_text=True)
    answered = [unit.question(q) for q in attempt.question_ids[:2]]
    for question in answered:
        chosen = question.option(sorted(question.correct_ids)[0])
        assert page.count(str(escape(chosen.text))) == 1
    assert page.count("Not answered yet") == len(attempt.question_ids) - 2


def test_a_remember_me_cookie_for_another_person_than_the_session_opens_their_own_attempt(
        db, app, make_person, cycle, start_attempt):
    # The session names someone no longer active; the remember-me cookie, the owner.
    owner, former = make_person(Role.STAFF), make_person(Role.STAFF)
    attempt_id = start_attempt(owner, cycle).id
    remembered, other = app.test_client(), app.test_client()
    sign_in(remembered, owner.email, remember="y")
    sign_in(other, former.email)
    browser = app.test_client()
    for name, holder in ((app.config["REMEMBER_COOKIE_NAME"], remembered),
                         (app.config["SESSION_COOKIE_NAME"], other)):
        browser.set_cookie(name, holder.get_cookie(name).value)
    db.session.get(Person, former.id).active = False
    db.session.commit()
    assert browser.get(f"/attempts/{attempt_id}/questions/1").status_code == 200


@pytest.mark.parametrize("page", ["/units/friends", "/"])
def test_the_unit_and_home_pages_read_the_person_and_the_passes_carried_over_together(
        db, signed_in, cycle, trace_statements, page):
    client, _person = signed_in(Role.STAFF)
    statements_sent = trace_statements()
    assert client.get(page).status_code == 200
    reading_the_person = [sql for sql in statements_sent if "session_token" in sql]
    assert len(reading_the_person) == 1 and "carried_over_pass" in reading_the_person[0]
    assert not [sql for sql in statements_sent
                if "carried_over_pass" in sql and "session_token" not in sql]
