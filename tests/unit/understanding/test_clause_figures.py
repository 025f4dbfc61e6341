"""Understanding by clause from hand-made totals: the small-numbers rule in every breakdown
(school, role, track), the order (most misunderstood first) and the questions behind."""

from __future__ import annotations

import json

import pytest

from elearn.content import load_content
from elearn.understanding.clauses import chart, understanding
from elearn.understanding.measures import FEWER_THAN
from elearn.understanding.queries import GroupRow, ResponseRow

NOW, BEFORE = 1, 2
SCHOOLS = {1: "School A", 2: "School B"}


@pytest.fixture
def trust(content_dir):
    return load_content(content_dir)


def rows(unit, question, school, right, wrong, roles=("staff",), cycle=NOW):
    """The two rows the queries give: per school, and per combination of roles."""
    flags = ("staff" in roles, "leader" in roles, "governor" in roles)
    n = right + wrong
    return [GroupRow(cycle, unit, question, school, False, False, False, n, right),
            GroupRow(cycle, unit, question, None, *flags, n, right)]


def figures(trust, groups, responses=()):
    found = understanding(trust, trust.policy, groups, list(responses), (NOW, BEFORE),
                          SCHOOLS)
    return {item.clause.id: item for item in found}


def part(item, dimension, label):
    return next(p for p in item.by[dimension] if p.label == label)


def test_a_school_with_fewer_than_5_people_shows_no_figure(trust):
    groups = rows("friends", "single", 1, 4, 1) + rows("friends", "single", 2, 3, 1)
    item = figures(trust, groups)["terms.no-friends"]
    assert part(item, "school", "School A").now.text == "80%"
    assert part(item, "school", "School B").now.text == FEWER_THAN
    assert item.now.text == "78%"  # 7 of 9 across the Trust


def test_a_role_with_fewer_than_5_people_shows_no_figure(trust):
    groups = (rows("friends", "single", 1, 5, 1)
              + rows("friends", "single", 1, 3, 1, roles=("staff", "leader")))
    item = figures(trust, groups)["terms.no-friends"]
    assert part(item, "role", "Staff").now.text == "80%"  # 8 of 10: leaders are staff too
    assert part(item, "role", "Head teacher or DSL").now.text == FEWER_THAN
    assert part(item, "role", "Governor or trustee").now.text == "no answers"


def test_a_track_with_fewer_than_5_people_shows_no_figure(trust):
    groups = (rows("approval", "who", 1, 4, 2, roles=("staff",))
              + rows("approval", "who", 2, 3, 1, roles=("governor",)))
    item = figures(trust, groups)["terms.approval"]
    # The approval unit is in both tracks: each answer counts in both.
    assert part(item, "track", "Staff track").now.text == "70%"
    assert part(item, "track", "Governor track").now.text == "70%"
    assert part(item, "role", "Governor or trustee").now.text == FEWER_THAN


def test_a_clause_figure_needs_5_people_on_one_of_its_questions(trust):
    # 4 people answered each of two questions: perhaps 4 people, perhaps 8. Not shown.
    groups = rows("friends", "single", 1, 4, 0) + rows("friends", "tf", 1, 2, 2)
    item = figures(trust, groups)["terms.no-friends"]
    assert item.now.text == FEWER_THAN and item.now.percent is None


def test_the_cycle_before_is_shown_beside_this_one(trust):
    groups = rows("friends", "single", 1, 5, 5) + rows("friends", "single", 1, 9, 1,
                                                       cycle=BEFORE)
    item = figures(trust, groups)["terms.no-friends"]
    assert (item.now.text, item.before.text) == ("50%", "90%")


def test_clauses_most_misunderstood_come_first_in_the_table_and_the_chart(trust):
    groups = (rows("friends", "single", 1, 9, 1) + rows("approval", "who", 1, 2, 8))
    found = understanding(trust, trust.policy, groups, [], (NOW, BEFORE), SCHOOLS)
    assert [item.clause.id for item in found] == ["terms.approval", "terms.no-friends"]
    assert [(b.label, b.percent) for b in chart(found).bars] == [
        ("terms.approval", 20), ("terms.no-friends", 90)]


def test_a_clause_whose_figure_cannot_be_shown_comes_last_and_is_not_charted(trust):
    groups = (rows("friends", "single", 1, 1, 3) + rows("approval", "who", 1, 9, 1))
    found = understanding(trust, trust.policy, groups, [], (NOW, BEFORE), SCHOOLS)
    assert [item.clause.id for item in found] == ["terms.approval", "terms.no-friends"]
    assert [b.label for b in chart(found).bars] == ["terms.approval"]


def test_the_wrong_answer_most_often_given_is_named_under_its_clause(trust):
    question = trust.units["friends"].question("single")
    wrong = [o.id for o in question.options if not o.correct]
    responses = [ResponseRow(NOW, "friends", "single", "f", json.dumps([wrong[0]]), 0, 2, 0, 0),
                 ResponseRow(NOW, "friends", "single", "f", json.dumps([wrong[1]]), 0, 5, 0, 0),
                 ResponseRow(NOW, "friends", "single", "f",
                             json.dumps(list(question.correct_ids)), 1, 6, 0, 0)]
    item = figures(trust, rows("friends", "single", 1, 6, 7), responses)["terms.no-friends"]
    behind = next(q for q in item.questions if q.prompt == question.prompt)
    assert behind.wrong_option == question.option(wrong[1]).text
    assert behind.wrong_count_text == "5" and behind.share.text == "46%"
