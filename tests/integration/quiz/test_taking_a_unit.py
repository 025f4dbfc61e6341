"""A learner takes units through the web pages, as in a browser."""

import html
import re
import time
from datetime import date, timedelta

from helpers import csrf_token, sign_in
from werkzeug.datastructures import MultiDict

from elearn.current import content
from elearn.models import Answer, Attempt, AttemptResult, Role


def _start(client, unit_id="friends"):
    page = client.get(f"/units/{unit_id}")
    assert page.status_code == 200
    response = client.post(f"/units/{unit_id}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1))
    return attempt_id, response.headers["Location"]


def _answer(client, attempt_id, number, data, go="next"):
    page = client.get(f"/attempts/{attempt_id}/questions/{number}")
    return client.post(f"/attempts/{attempt_id}/questions/{number}",
                       data={"csrf_token": csrf_token(page), "go": go, **data})


def _right(question, shown):
    form = MultiDict(question.spec.form_fields(question.correct_ids, shown))
    return form.to_dict(flat=False)


def _wrong(question, shown):
    if question.kind.value == "ordering":
        return {f"position-{o}": str(len(shown) - question.correct_ids.index(o)) for o in shown}
    return {"answer": [o for o in question.option_ids if o not in question.correct_ids][:1]}


def _complete(client, db, attempt_id, right=True):
    attempt = db.session.get(Attempt, attempt_id)
    unit = content().units[attempt.unit_id]
    for n, qid in enumerate(attempt.question_ids, 1):
        q = unit.question(qid)
        data = (_right if right else _wrong)(q, attempt.option_order[qid])
        assert _answer(client, attempt_id, n, data).status_code == 302
    check = client.get(f"/attempts/{attempt_id}/check")
    assert check.status_code == 200
    return client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token(check)})


def test_home_lists_my_tracks_units_deadline_and_states(signed_in, cycle):
    client, _ = signed_in(Role.STAFF)
    page = client.get("/").get_data(as_text=True)
    assert "Staff training" in page and "Governor training" not in page
    assert "Friends" in page and "Approval" in page
    assert "60 days left" in page
    assert page.count("Not started") == 2


def test_governor_sees_only_the_governor_track(signed_in, cycle):
    client, _ = signed_in(Role.GOVERNOR)
    page = client.get("/").get_data(as_text=True)
    assert "Governor training" in page and "Staff training" not in page
    assert client.get("/units/friends").status_code == 404


def test_learner_goes_from_sign_in_to_a_passed_unit_and_home_shows_it(signed_in, cycle, db):
    client, person = signed_in(Role.STAFF)
    attempt_id, location = _start(client)
    assert location.endswith(f"/attempts/{attempt_id}/questions/1")
    question_page = client.get(location).get_data(as_text=True)
    assert "Question 1 of 3" in question_page and "<progress" in question_page
    assert "<fieldset" in question_page and "<legend>" in question_page
    response = _complete(client, db, attempt_id)
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed" in result and "3 out of 3 (100%)" in result
    assert "/policy#terms.no-friends" in result
    home = client.get("/").get_data(as_text=True)
    assert "Passed" in home and "1 of 2 scenarios passed" in home


def test_answers_are_saved_as_given_and_resume_after_signing_in_again(app, signed_in, cycle,
                                                                       db):
    client, person = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    attempt = db.session.get(Attempt, attempt_id)
    first = content().units["friends"].question(attempt.question_ids[0])
    _answer(client, attempt_id, 1, _right(first, attempt.option_order[first.id]))
    page = client.get("/")
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})

    again = app.test_client()
    sign_in(again, person.email)
    assert "In progress" in again.get("/").get_data(as_text=True)
    resumed_id, location = _start(again)
    assert resumed_id == attempt_id and location.endswith("/questions/2")
    back = again.get(f"/attempts/{attempt_id}/questions/1").get_data(as_text=True)
    chosen = first.correct_ids[0]
    assert re.search(rf'value="{chosen}" checked', back) or first.kind.value == "ordering"
    assert f"1 of {len(attempt.question_ids)} answered" in back


def test_options_are_shuffled_once_and_stay_stable_within_the_attempt(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, location = _start(client)
    first = client.get(location).get_data(as_text=True)
    second = client.get(location).get_data(as_text=True)
    order = re.findall(r'name="answer" value="([^"]+)"', first)
    assert order and order == re.findall(r'name="answer" value="([^"]+)"', second)
    attempt = db.session.get(Attempt, attempt_id)
    assert order == attempt.option_order[attempt.question_ids[0]]


def test_failed_unit_can_be_retaken_as_a_new_attempt(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    response = _complete(client, db, attempt_id, right=False)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed yet" in result and "Retake this scenario" in result
    assert "Not passed yet: retake" in client.get("/").get_data(as_text=True)
    retake_id, _ = _start(client)
    assert retake_id != attempt_id
    assert db.session.get(Attempt, retake_id).number == 2
    _complete(client, db, retake_id)
    assert "Passed" in client.get("/").get_data(as_text=True)


def test_unanswered_question_shows_an_error_summary_and_saves_nothing(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    response = _answer(client, attempt_id, 1, {})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and 'href="#answer-0"' in page
    assert db.session.query(Answer).count() == 0


def test_unknown_option_is_refused_and_changes_nothing(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    response = _answer(client, attempt_id, 1, {"answer": ["zzz"]})
    assert response.status_code == 409
    assert "not one of this question's options" in html.unescape(response.get_data(as_text=True))
    assert db.session.query(Answer).count() == 0


def test_another_persons_attempt_is_not_found(app, signed_in, make_person, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    intruder = make_person(Role.STAFF)
    other = app.test_client()
    sign_in(other, intruder.email)
    assert other.get(f"/attempts/{attempt_id}/questions/1").status_code == 404
    assert other.get(f"/attempts/{attempt_id}/check").status_code == 404
    assert other.get(f"/attempts/{attempt_id}/result").status_code == 404
    token = csrf_token(other.get("/"))
    assert other.post(f"/attempts/{attempt_id}/questions/1",
                      data={"csrf_token": token, "answer": "a"}).status_code == 404
    assert other.post(f"/attempts/{attempt_id}/submit",
                      data={"csrf_token": token}).status_code == 404
    assert db.session.query(Answer).count() == 0


def test_submitted_attempt_refuses_new_answers(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    _complete(client, db, attempt_id)
    before = [(a.question_id, a.response) for a in db.session.query(Answer)]
    token = csrf_token(client.get("/"))
    response = client.post(f"/attempts/{attempt_id}/questions/1",
                           data={"csrf_token": token, "answer": "a"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    assert [(a.question_id, a.response) for a in db.session.query(Answer)] == before


def test_submitting_twice_gives_exactly_one_result(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    first = _complete(client, db, attempt_id)
    token = csrf_token(client.get("/"))
    second = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(AttemptResult).filter_by(attempt_id=attempt_id).count() == 1


def test_submitting_with_a_missing_answer_names_the_question(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    check = client.get(f"/attempts/{attempt_id}/check")
    assert "Not answered yet" in check.get_data(as_text=True)
    response = client.post(f"/attempts/{attempt_id}/submit",
                           data={"csrf_token": csrf_token(check)}, follow_redirects=True)
    assert "Still to answer: questions 1, 2, 3." in response.get_data(as_text=True)
    assert db.session.query(AttemptResult).count() == 0


def test_answers_after_the_review_date_are_refused(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    cycle.review_date = date.today() - timedelta(days=1)
    db.session.commit()
    response = _answer(client, attempt_id, 1, {"answer": ["a"]})
    assert response.status_code == 409
    assert "review date" in response.get_data(as_text=True)
    assert db.session.query(Answer).count() == 0
    token = csrf_token(client.get("/"))
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert db.session.query(AttemptResult).count() == 0


def test_question_left_open_for_two_hours_still_saves(signed_in, cycle, db, monkeypatch):
    client, _ = signed_in(Role.STAFF)
    attempt_id, location = _start(client)
    page = client.get(location)
    token = csrf_token(page)
    attempt = db.session.get(Attempt, attempt_id)
    qid = attempt.question_ids[0]
    data = _right(content().units["friends"].question(qid), attempt.option_order[qid])
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 2 * 3600 + 60)
    response = client.post(location, data={"csrf_token": token, "go": "next", **data})
    assert response.status_code == 302
    assert db.session.query(Answer).count() == 1


def test_back_goes_to_the_previous_question_without_demanding_an_answer(signed_in, cycle):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    response = _answer(client, attempt_id, 2, {}, go="back")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/questions/1")


def test_ordering_question_is_answered_by_positions(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client, "approval")
    attempt = db.session.get(Attempt, attempt_id)
    n = attempt.question_ids.index("order") + 1
    duplicate = {f"position-{o}": "1" for o in attempt.option_order["order"]}
    response = _answer(client, attempt_id, n, duplicate)
    assert response.status_code == 422 and "different position" in response.get_data(
        as_text=True)
    q = content().units["approval"].question("order")
    assert _answer(client, attempt_id, n, _right(q, attempt.option_order["order"])
                   ).status_code == 302
    stored = db.session.query(Answer).filter_by(question_id="order").one()
    assert stored.response == ["propose", "approve", "launch"]


def test_ordering_positions_given_are_kept_when_the_form_comes_back_with_an_error(
        signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client, "approval")
    attempt = db.session.get(Attempt, attempt_id)
    n = attempt.question_ids.index("order") + 1
    first, second, third = attempt.option_order["order"]
    # Two steps share a position and one is left empty: every choice made comes back.
    page = _answer(client, attempt_id, n, {f"position-{first}": "2",
                                           f"position-{second}": "2",
                                           f"position-{third}": ""})
    assert page.status_code == 422
    selects = dict(re.findall(r'name="position-([\w-]+)">(.*?)</select>',
                              page.get_data(as_text=True), re.S))
    chosen = {step: re.findall(r'value="(\d*)" selected', options)
              for step, options in selects.items()}
    assert chosen == {first: ["2"], second: ["2"], third: []}


def test_result_page_promises_new_questions_only_when_the_unit_draws_from_more(signed_in,
                                                                               cycle, db):
    client, _ = signed_in(Role.STAFF)
    pages = {}
    for unit_id in ("friends", "approval"):  # draws 3 of 4 questions; asks both of 2
        attempt_id, _ = _start(client, unit_id)
        response = _complete(client, db, attempt_id, right=False)
        pages[unit_id] = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "some may be new" in pages["friends"]
    assert "asks the same questions" not in pages["friends"]
    assert "asks the same questions" in pages["approval"]
    assert "some may be new" not in pages["approval"]


def test_starting_answering_and_submitting_without_the_csrf_token_are_refused(
        signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    assert client.post("/units/friends/start").status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 0
    attempt_id, _ = _start(client)
    attempt = db.session.get(Attempt, attempt_id)
    question = content().units["friends"].question(attempt.question_ids[0])
    data = {"go": "next", **_right(question, attempt.option_order[question.id])}
    assert client.post(f"/attempts/{attempt_id}/questions/1", data=data).status_code == 400
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0
    assert db.session.get(Attempt, attempt_id).result is None


def test_a_head_request_for_a_question_shows_it_and_saves_nothing(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    attempt_id, _ = _start(client)
    attempt = db.session.get(Attempt, attempt_id)
    question = content().units["friends"].question(attempt.question_ids[0])
    # CSRFProtect does not check HEAD: a HEAD with a form body must not reach the saving.
    data = {"go": "next", **_right(question, attempt.option_order[question.id])}
    response = client.open(f"/attempts/{attempt_id}/questions/1", method="HEAD", data=data)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0
