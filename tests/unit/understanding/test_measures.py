"""Facility, discrimination, flags and the small-numbers rule, against hand-computed values."""

from __future__ import annotations

import math
import statistics

import pytest

from elearn.understanding.measures import (
    FEWER_THAN,
    Sums,
    count_text,
    discrimination,
    facility,
    flags,
    share_text,
)


def test_facility_is_the_share_of_answers_right():
    assert facility(3, 4) == 0.75


def test_facility_of_a_question_nobody_answered_is_none():
    assert facility(0, 0) is None


def test_discrimination_matches_a_hand_computed_correlation_with_the_rest_of_the_score():
    # marks x = 1 1 0 0 1; whole scores 3 2 1 2 1, so the rest y = 2 1 1 2 0.
    # Means 0.6 and 1.2; Σ(dx·dy) = -0.6, Σdx² = 1.2, Σdy² = 2.8: r = -0.6 / √3.36.
    sums = Sums.of([1, 1, 0, 0, 1], [3, 2, 1, 2, 1])
    assert discrimination(sums) == pytest.approx(-0.6 / math.sqrt(3.36))
    assert discrimination(sums) == pytest.approx(-0.327327, abs=1e-6)


def test_discrimination_with_tied_rest_scores_is_exact():
    # The rest of the score ties within each mark: right ones 2 and 2, wrong ones 1 and 1.
    assert discrimination(Sums.of([1, 1, 0, 0], [3, 3, 1, 1])) == pytest.approx(1.0)


def test_discrimination_agrees_with_pearson_on_the_rest_of_the_score():
    marks = [1, 0, 1, 1, 0, 1, 0, 1]
    scores = [5, 2, 4, 3, 3, 5, 1, 2]
    rest = [s - m for m, s in zip(marks, scores, strict=True)]
    assert discrimination(Sums.of(marks, scores)) == pytest.approx(
        statistics.correlation(marks, rest))


def test_discrimination_is_undefined_when_everyone_gets_the_question_right():
    assert discrimination(Sums.of([1, 1, 1, 1, 1], [5, 4, 3, 5, 2])) is None


def test_discrimination_is_undefined_for_a_question_answered_by_one_person():
    assert discrimination(Sums.of([1], [4])) is None


def test_discrimination_is_undefined_when_the_rest_of_the_score_is_all_tied():
    assert discrimination(Sums.of([1, 0, 1, 0], [3, 2, 3, 2])) is None


def test_sums_add_up_group_by_group_as_sql_returns_them():
    whole = Sums.of([1, 0, 1, 0, 1], [4, 2, 3, 3, 5])
    parts = Sums.of([1, 0], [4, 2]) + Sums.of([1, 0, 1], [3, 3, 5])
    assert parts == whole


def test_a_question_almost_everyone_gets_right_is_flagged():
    assert "almost everyone gets it right" in flags(40, 39 / 40, None, 0)


def test_a_question_good_learners_get_wrong_is_flagged():
    assert flags(40, 0.6, -0.2, 0) == ["people who do well overall get it wrong"]


def test_a_distractor_nobody_chooses_is_flagged():
    assert flags(40, 0.6, 0.3, 1) == ["a distractor nobody chooses"]


def test_a_question_answered_by_few_people_is_never_flagged():
    assert flags(9, 1.0, -0.5, 2) == []


@pytest.mark.parametrize("people, shown", [(0, "none"), (1, FEWER_THAN), (4, FEWER_THAN),
                                           (5, "5"), (1234, "1,234")])
def test_a_count_of_fewer_than_5_people_is_never_a_number(people, shown):
    assert count_text(people) == shown


def test_a_share_about_fewer_than_5_people_is_not_shown():
    assert share_text(3, 4, 4) == FEWER_THAN
    assert share_text(3, 5, 5) == "60%"
