import random
from pathlib import Path

import pytest

from elearn.content import load_content
from elearn.quiz.attempts import draw
from elearn.quiz.grading import ResponseError, check_response, grade, is_correct

CONTENT = load_content(Path(__file__).parents[2] / "fixtures" / "content")
FRIENDS = CONTENT.units["friends"]
APPROVAL = CONTENT.units["approval"]


def q(unit, qid):
    return unit.question(qid)


def test_single_choice_is_right_only_with_the_correct_option():
    assert is_correct(q(FRIENDS, "single"), ["b"])
    assert not is_correct(q(FRIENDS, "single"), ["a"])


def test_true_false_is_right_only_with_the_correct_value():
    assert is_correct(q(FRIENDS, "tf"), ["false"])
    assert not is_correct(q(FRIENDS, "tf"), ["true"])


def test_multiple_response_needs_exactly_the_correct_set_in_any_order():
    assert is_correct(q(FRIENDS, "multi"), ["b", "a"])
    assert not is_correct(q(FRIENDS, "multi"), ["a"])
    assert not is_correct(q(FRIENDS, "multi"), ["a", "b", "c"])


def test_ordering_needs_every_step_in_place():
    assert is_correct(q(APPROVAL, "order"), ["propose", "approve", "launch"])
    assert not is_correct(q(APPROVAL, "order"), ["approve", "propose", "launch"])


def test_grade_counts_marks_and_passes_at_exactly_the_pass_mark():
    questions = [q(FRIENDS, i) for i in ("single", "multi", "tf", "extra")]
    responses = {"single": ["b"], "multi": ["a", "b"], "tf": ["false"], "extra": ["b"]}
    result = grade(questions, responses, pass_mark=75)
    assert (result.score, result.max_score, result.percent, result.passed) == (3, 4, 75, True)
    assert not grade(questions, responses, pass_mark=76).passed


def test_unanswered_question_scores_nothing():
    result = grade([q(FRIENDS, "single")], {}, pass_mark=80)
    assert result.score == 0 and not result.passed


def test_check_response_refuses_an_option_of_another_question():
    with pytest.raises(ResponseError, match="not one of this question's options"):
        check_response(q(APPROVAL, "who"), ["propose"])


def test_check_response_refuses_two_answers_to_a_single_choice():
    with pytest.raises(ResponseError, match="Choose one"):
        check_response(q(FRIENDS, "single"), ["a", "b"])


def test_check_response_refuses_an_ordering_that_skips_a_step():
    with pytest.raises(ResponseError, match="different position"):
        check_response(q(APPROVAL, "order"), ["propose", "propose", "launch"])


def test_check_response_stores_multiple_answers_in_the_question_order():
    assert check_response(q(FRIENDS, "multi"), ["b", "a"]) == ("a", "b")


def test_draw_takes_the_unit_draw_count_from_the_pool():
    ids, order = draw(FRIENDS, random.Random(1))
    assert len(ids) == FRIENDS.draw == 3
    assert set(ids) <= {x.id for x in FRIENDS.questions}
    assert all(sorted(order[i]) == sorted(FRIENDS.question(i).option_ids) for i in ids)


def test_draw_is_stable_for_the_same_seed_and_differs_across_seeds():
    assert draw(FRIENDS, random.Random(5)) == draw(FRIENDS, random.Random(5))
    draws = {tuple(draw(FRIENDS, random.Random(seed))[0]) for seed in range(30)}
    assert len(draws) > 1


def test_draw_never_shows_ordering_steps_already_in_order():
    for seed in range(50):
        _, order = draw(APPROVAL, random.Random(seed))
        assert tuple(order["order"]) != APPROVAL.question("order").correct_ids
