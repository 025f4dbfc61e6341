"""/hr/understanding and /hr/questions on a real database: scope, the small-numbers rule on
the page, a fixed number of queries, totals counted once, CSV exports and the command."""

from __future__ import annotations

import csv
import io
import re

import pytest
from helpers import sign_in
from sqlalchemy import event, func, select

from elearn.models import QuestionTally, Role


def _people_answering(make_person, answer_unit, count: int, school: str = "a",
                      wrong=frozenset({"single"})):
    for _ in range(count):
        answer_unit(make_person(Role.STAFF, school=school), "friends", wrong)


def _client_for(app, make_person, *roles, school="a"):
    client = app.test_client()
    assert sign_in(client, make_person(*roles, school=school).email).status_code == 302
    return client


def _statements(db, client, path: str) -> list[str]:
    seen = []
    engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


@pytest.mark.parametrize("path", ["/hr/understanding", "/hr/questions"])
def test_the_pages_run_as_many_queries_for_50_people_as_for_10(app, db, cycle, make_person,
                                                              answer_unit, trust_hr, path):
    _people_answering(make_person, answer_unit, 10)
    trust_hr.get(path)  # the first view counts the attempts so far
    small = _statements(db, trust_hr, path)
    _people_answering(make_person, answer_unit, 40, school="b")
    trust_hr.get(path)
    big = _statements(db, trust_hr, path)
    assert len(big) == len(small), "\n---\n".join(s[:90] for s in big + ["======"] + small)


def test_each_attempt_is_counted_once_however_often_the_page_is_seen(db, cycle, make_person,
                                                                     answer_unit, trust_hr):
    _people_answering(make_person, answer_unit, 6)
    for _ in range(3):
        trust_hr.get("/hr/understanding")
    answers = db.session.scalar(select(func.sum(QuestionTally.answers)))
    assert answers == 6 * 3  # six people, three questions drawn each


def test_only_first_attempts_count(db, cycle, make_person, answer_unit, trust_hr):
    person = make_person(Role.STAFF)
    answer_unit(person, "friends", frozenset({"single", "multi", "tf", "extra"}))
    answer_unit(person, "friends")  # the retake, all right
    trust_hr.get("/hr/questions")
    assert db.session.scalar(select(func.sum(QuestionTally.mark))) == 0


def test_the_page_states_the_privacy_rule_and_hides_small_figures(app, cycle, make_person,
                                                                   answer_unit, trust_hr):
    _people_answering(make_person, answer_unit, 3)
    page = trust_hr.get("/hr/understanding").get_data(as_text=True)
    assert "Any figure about fewer than 5 people" in page
    assert "fewer than 5" in page and not re.search(r">\d+%<", page)


def test_a_head_teacher_sees_only_their_own_school(app, cycle, make_person, answer_unit):
    _people_answering(make_person, answer_unit, 5, school="a", wrong=frozenset())
    _people_answering(make_person, answer_unit, 5, school="b",
                      wrong=frozenset({"single", "multi", "tf", "extra"}))
    head_of_a = _client_for(app, make_person, Role.STAFF, Role.LEADER, school="a")
    page = head_of_a.get("/hr/understanding").get_data(as_text=True)
    assert "School A" in page and "School B" not in page
    assert "class=\"num\">100%<" in page and "class=\"num\">0%<" not in page
    exported = head_of_a.get("/hr/understanding.csv").get_data(as_text=True)
    assert "School B" not in exported and "school-a" in head_of_a.get(
        "/hr/understanding.csv").headers["Content-Disposition"]


@pytest.mark.parametrize("roles", [(Role.STAFF,), (Role.GOVERNOR,)])
@pytest.mark.parametrize("path", ["/hr/understanding", "/hr/understanding.csv",
                                  "/hr/questions", "/hr/questions.csv"])
def test_staff_and_governors_get_404(app, cycle, make_person, roles, path):
    assert _client_for(app, make_person, *roles).get(path).status_code == 404


def test_head_teachers_do_not_see_question_statistics(app, cycle, make_person):
    head = _client_for(app, make_person, Role.STAFF, Role.LEADER)
    assert head.get("/hr/questions").status_code == 404


def test_an_administrator_sees_the_whole_trust(app, cycle, make_person, answer_unit):
    _people_answering(make_person, answer_unit, 5, school="b")
    admin = _client_for(app, make_person, Role.ADMIN, school="central")
    assert "School B" in admin.get("/hr/understanding").get_data(as_text=True)
    assert admin.get("/hr/questions").status_code == 200


def test_question_statistics_show_facility_and_options_chosen(cycle, make_person,
                                                               answer_unit, trust_hr):
    drew = sum("single" in answer_unit(make_person(Role.STAFF), "friends",
                                       frozenset({"single"}))[0].question_ids
               for _ in range(16))
    page = trust_hr.get("/hr/questions").get_data(as_text=True)
    assert "What do you do?" in page
    rows = list(csv.reader(io.StringIO(trust_hr.get("/hr/questions.csv").get_data(
        as_text=True))))
    single = next(r for r in rows if r[1] == "single")
    # Everyone got it wrong: facility 0%, and no spread for a discrimination.
    assert (single[5], single[6], single[7]) == (str(drew), "0%", "—")
    assert "most people get it wrong" in single[8]


def test_the_content_stats_command_prints_the_question_statistics(runner, cycle, make_person,
                                                                  answer_unit):
    _people_answering(make_person, answer_unit, 6)
    result = runner.invoke(args=["content", "stats"])
    assert result.exit_code == 0, result.output
    assert "friends/single" in result.output and "0%" in result.output
    as_csv = runner.invoke(args=["content", "stats", "--csv"])
    assert as_csv.output.startswith("Unit,Question,Prompt")


def test_a_refresh_counts_at_most_its_limit_and_the_next_one_the_rest(app, db, cycle,
                                                                      make_person,
                                                                      answer_unit):
    from elearn.understanding.tally import refresh_tallies

    _people_answering(make_person, answer_unit, 3)
    with app.app_context():
        assert refresh_tallies(db.session, limit=2) == 2
        assert refresh_tallies(db.session, limit=2) == 1
        assert refresh_tallies(db.session, limit=2) == 0
        db.session.commit()
        assert db.session.scalar(select(func.sum(QuestionTally.answers))) == 3 * 3
