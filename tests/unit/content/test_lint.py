"""The content lint: each rule passes on clean content and names what breaks it."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from elearn.content import load_content
from elearn.content.lint import clauses_relied_on, key_is_longest, lint

CLEAN = Path(__file__).parents[2] / "fixtures" / "lint"
REAL = Path(__file__).parents[3] / "modules"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CLEAN, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _broken(directory: Path, rule: str) -> list[str]:
    report = lint(load_content(directory))
    assert {b.rule for b in report.breaches} == {rule}, report.breaches
    return report.question_ids()


def test_the_trust_content_keeps_every_rule():
    report = lint(load_content(REAL))
    assert report.ok, "\n".join(f"{b.rule} {b.question}: {b.detail}" for b in report.breaches)


def test_the_clean_fixture_keeps_every_rule():
    assert lint(load_content(CLEAN)).ok


def test_a_track_whose_keys_are_the_longest_option_names_those_questions(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml", "text: Decline it,",
          "text: Decline it and say nothing at all,")
    assert _broken(content_dir, "longest-key") == ["friends/what-to-do"]


def test_a_key_tied_for_longest_is_not_the_longest():
    question = load_content(CLEAN).units["friends"].question("what-to-do")
    tied = dataclasses.replace(question, options=tuple(
        dataclasses.replace(o, text="x" * 10) for o in question.options))
    assert not key_is_longest(tied)


def test_true_false_keys_all_false_name_the_questions_keyed_false(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml",
          '{id: "true", text: "True", correct: true, feedback: Right.}',
          '{id: "true", text: "True", correct: false, feedback: Right.}')
    _edit(content_dir / "units" / "friends.yaml",
          '{id: "false", text: "False", correct: false, feedback: No.}',
          '{id: "false", text: "False", correct: true, feedback: No.}')
    assert _broken(content_dir, "true-false-balance") == ["friends/private", "friends/later"]


def test_select_all_questions_with_one_wrong_option_are_named(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml",
          "      - {id: call, text: A phone call home, correct: false, "
          "feedback: Not social networking.}\n", "")
    assert _broken(content_dir, "select-all-wrong") == ["friends/which"]


def test_an_ordering_question_of_three_steps_is_named(content_dir: Path):
    _edit(content_dir / "units" / "account.yaml",
          "      - {id: post, text: Post the first photos, feedback: Last.}\n", "")
    assert _broken(content_dir, "ordering-steps") == ["account/steps"]


def test_a_single_choice_question_with_two_options_is_named():
    # The loader refuses such a file outright; the lint rule covers content made in code.
    content = load_content(CLEAN)
    unit = content.units["friends"]
    question = unit.question("what-to-do")
    short = dataclasses.replace(question, options=question.options[:2])
    units = {**content.units, "friends": dataclasses.replace(
        unit, questions=(short, *unit.questions[1:]))}
    report = lint(dataclasses.replace(content, units=units))
    assert [(b.rule, b.question) for b in report.breaches] == [
        ("single-options", "friends/what-to-do")]


def test_feedback_quoting_a_clause_the_question_does_not_cite_is_named(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml", "feedback: No exception.}",
          "feedback: 'It says \"more and more adults and children use social networks\".'}")
    report = lint(load_content(content_dir))
    assert [(b.rule, b.question) for b in report.breaches] == [
        ("uncited-clause", "friends/what-to-do")]
    assert "rules.context" in report.breaches[0].detail


def test_six_words_of_a_clause_without_quotation_marks_count_as_quoting_it():
    question = load_content(CLEAN).units["friends"].question("later")
    clauses = load_content(CLEAN).policy.clauses
    quoting = dataclasses.replace(question, cites=("rules.approval",), explanation=(
        "Remember that no staff member should have a pupil as a friend."))
    assert clauses_relied_on(quoting, clauses) == {"rules.no-friends"}
    assert clauses_relied_on(dataclasses.replace(quoting, explanation="A pupil friend? No."),
                             clauses) == set()


def test_a_clause_named_by_id_in_feedback_must_be_cited():
    question = load_content(CLEAN).units["friends"].question("later")
    named = dataclasses.replace(question, explanation="See rules.context.")
    assert clauses_relied_on(named, load_content(CLEAN).policy.clauses) == {"rules.context"}


def test_naming_the_approvers_is_not_quoting_the_approval_clause():
    content = load_content(REAL)
    question = content.units["governor-event-photos"].question("before-posting")
    assert "service.approval" not in question.cites
    assert clauses_relied_on(question, content.policy.clauses) == set()


def test_a_unit_whose_draw_cannot_hold_every_requirement_is_named(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml", "draw: 3", "draw: 1")
    report = lint(load_content(content_dir))
    assert report.question_ids() == ["friends"]
    assert report.breaches[0].rule == "draw-coverage"
    assert "needs 2" in report.breaches[0].detail
