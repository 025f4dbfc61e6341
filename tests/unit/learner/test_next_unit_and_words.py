"""The learner's next unit (resuming first), minutes left, reading time and plain words."""

from __future__ import annotations

from types import SimpleNamespace

from elearn.content import load_content
from elearn.learner.reading import policy_words, reading_minutes
from elearn.quiz.attempts import UnitState
from elearn.quiz.next_unit import minutes_left, next_unit, time_left
from elearn.wording import training_title, version_words


def _row(uid: str, state: UnitState, open_attempt=None, minutes: int = 5):
    unit = SimpleNamespace(id=uid, minutes=minutes)
    return SimpleNamespace(unit=unit, state=state, open_attempt=open_attempt,
                           passed=state.passed)


def test_a_unit_in_progress_comes_before_an_earlier_unit_not_started():
    rows = [_row("a", UnitState.NOT_STARTED), _row("b", UnitState.IN_PROGRESS, object())]
    assert next_unit(rows).unit.id == "b"


def test_without_one_in_progress_the_first_not_passed_is_next():
    rows = [_row("a", UnitState.PASSED), _row("b", UnitState.FAILED),
            _row("c", UnitState.NOT_STARTED)]
    assert next_unit(rows).unit.id == "b"


def test_nothing_is_next_when_all_are_passed_or_carried_over():
    assert next_unit([_row("a", UnitState.PASSED), _row("b", UnitState.CARRIED_OVER)]) is None


def test_minutes_left_adds_up_the_units_not_passed():
    rows = [_row("a", UnitState.PASSED, minutes=5), _row("b", UnitState.FAILED, minutes=6),
            _row("c", UnitState.NOT_STARTED, minutes=5)]
    assert minutes_left(rows) == 11


def test_time_left_counts_a_unit_shared_by_two_tracks_once():
    staff = [_row("a", UnitState.PASSED, minutes=5), _row("shared", UnitState.FAILED, minutes=6)]
    leaders = [_row("shared", UnitState.FAILED, minutes=6), _row("c", UnitState.NOT_STARTED)]
    left = time_left([staff, leaders])
    assert (left.scenarios, left.minutes) == (2, 11)


def test_the_policy_takes_about_ten_minutes_to_read():
    policy = load_content("modules").policy
    assert 1500 < policy_words(policy) < 2500
    assert reading_minutes(policy) == -(-policy_words(policy) // 200)


def test_a_year_month_version_reads_as_its_approval():
    assert version_words("2017-01") == "approved January 2017"
    assert version_words("v2") == "version v2"
    assert version_words("2017-13") == "version 2017-13"


def test_track_titles_read_as_training():
    assert training_title("Staff track") == "Staff training"
    assert training_title("Leaders’ track: handling disclosures") == \
        "Leaders’ training: handling disclosures"
    assert training_title("Governors’ track") == "Governors’ training"
