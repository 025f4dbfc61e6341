"""The question-kind registry: what each kind declares, tested kind by kind."""

import random
from pathlib import Path

import jinja2
import pytest
from werkzeug.datastructures import MultiDict

import elearn
from elearn.content.kinds import KINDS, QuestionKind, ResponseError, spec_for
from elearn.content.model import Option, Question

TEMPLATES = Path(elearn.__file__).parent / "quiz" / "templates"
MACROS = ("hint", "inputs", "check_answer", "your_answer", "right_answer")


def _question(kind: QuestionKind, correct: tuple[str, ...] = (), ids=("a", "b", "c")) -> Question:
    options = tuple(Option(o, o.title(), o in correct, f"About {o}.") for o in ids)
    return Question("q", kind, "Which?", ("s.c",), options)


SINGLE = _question(QuestionKind.SINGLE, ("b",))
MULTIPLE = _question(QuestionKind.MULTIPLE, ("a", "c"))
TRUE_FALSE = _question(QuestionKind.TRUE_FALSE, ("false",), ids=("true", "false"))
ORDERING = _question(QuestionKind.ORDERING, ids=("propose", "approve", "launch"))
ALL = (SINGLE, MULTIPLE, TRUE_FALSE, ORDERING)


def _options(kind_question: Question, **changes) -> list[Option]:
    return [Option(o.id, o.text, changes.get(o.id, o.correct), o.feedback)
            for o in kind_question.options]


# The registry as a whole ---------------------------------------------------------------

def test_every_kind_is_registered_under_its_own_name():
    assert set(KINDS) == set(QuestionKind)
    assert all(spec_for(kind).kind is kind for kind in QuestionKind)


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_every_kind_template_defines_every_macro_the_pages_call(kind):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    module = env.get_template(spec_for(kind).template).module
    assert all(callable(getattr(module, name, None)) for name in MACROS)


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.kind.value)
def test_the_form_fields_for_the_right_answer_read_back_as_the_right_answer(question):
    shown = list(reversed(question.option_ids))
    form = MultiDict(question.spec.form_fields(question.correct_ids, shown))
    response, error = question.spec.read_form(question, shown, form)
    assert error is None
    assert question.spec.is_correct(question, response)


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.kind.value)
def test_the_right_answer_passes_the_check_unchanged(question):
    assert question.spec.check(question, question.correct_ids) == question.correct_ids


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.kind.value)
def test_content_as_written_here_has_no_problems(question):
    assert question.spec.problems(question.options) == []


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.kind.value)
def test_a_shuffle_shows_every_option_once(question):
    shown = question.spec.shuffle(question.option_ids, random.Random(1))
    assert sorted(shown) == sorted(question.option_ids)


# Single choice ----------------------------------------------------------------------------

def test_single_choice_needs_exactly_one_correct_option():
    problems = SINGLE.spec.problems(_options(SINGLE, a=True))
    assert problems == ["a single choice question needs exactly one correct option, found 2"]


def test_single_choice_needs_three_options():
    assert "a single choice question needs at least 3 options" in SINGLE.spec.problems(
        _options(SINGLE)[1:])


def test_single_choice_form_without_an_answer_asks_for_one():
    assert SINGLE.spec.read_form(SINGLE, SINGLE.option_ids, MultiDict()) == (
        [], "Select an answer.")


def test_single_choice_refuses_two_answers():
    with pytest.raises(ResponseError, match="Choose one answer."):
        SINGLE.spec.check(SINGLE, ("a", "b"))


def test_single_choice_is_right_only_with_the_correct_option():
    assert SINGLE.spec.is_correct(SINGLE, ["b"])
    assert not SINGLE.spec.is_correct(SINGLE, ["a"])


# Multiple response ------------------------------------------------------------------------

def test_multiple_response_needs_a_correct_option():
    assert MULTIPLE.spec.problems(_options(MULTIPLE, a=False, c=False)) == [
        "has no correct answer"]


def test_multiple_response_form_without_an_answer_asks_for_at_least_one():
    assert MULTIPLE.spec.read_form(MULTIPLE, MULTIPLE.option_ids, MultiDict()) == (
        [], "Select at least one answer.")


def test_multiple_response_is_stored_in_the_question_order():
    assert MULTIPLE.spec.check(MULTIPLE, ("c", "a")) == ("a", "c")


def test_multiple_response_refuses_an_option_chosen_twice():
    with pytest.raises(ResponseError, match="only once"):
        MULTIPLE.spec.check(MULTIPLE, ("a", "a"))


def test_multiple_response_is_right_only_with_exactly_the_correct_set():
    assert MULTIPLE.spec.is_correct(MULTIPLE, ["c", "a"])
    assert not MULTIPLE.spec.is_correct(MULTIPLE, ["a"])
    assert not MULTIPLE.spec.is_correct(MULTIPLE, ["a", "b", "c"])
    assert not MULTIPLE.spec.is_correct(MULTIPLE, ["a", "c", "c"])


# True or false ----------------------------------------------------------------------------

def test_true_false_needs_options_named_true_and_false():
    assert TRUE_FALSE.spec.problems(_options(SINGLE)) == [
        "a true/false question needs options 'true' and 'false'"]


def test_true_false_needs_exactly_one_correct_option():
    assert TRUE_FALSE.spec.problems(_options(TRUE_FALSE, true=True)) == [
        "a true/false question needs exactly one correct option"]


def test_true_false_always_shows_true_before_false():
    for seed in range(10):
        assert TRUE_FALSE.spec.shuffle(("false", "true"), random.Random(seed)) == [
            "true", "false"]


def test_true_false_is_right_only_with_the_correct_value():
    assert TRUE_FALSE.spec.is_correct(TRUE_FALSE, ["false"])
    assert not TRUE_FALSE.spec.is_correct(TRUE_FALSE, ["true"])


# Ordering ---------------------------------------------------------------------------------

def test_ordering_steps_may_not_be_marked_correct():
    assert ORDERING.spec.option_problem({"id": "a", "correct": True}) is not None
    assert SINGLE.spec.option_problem({"id": "a", "correct": True}) is None


def test_ordering_needs_two_steps():
    assert ORDERING.spec.problems(_options(ORDERING)[:1]) == [
        "an ordering question needs at least 2 steps, found 1"]


def test_ordering_right_answer_is_the_steps_as_listed():
    assert ORDERING.correct_ids == ("propose", "approve", "launch")


def test_ordering_is_never_shown_already_in_order():
    for seed in range(50):
        shown = ORDERING.spec.shuffle(ORDERING.option_ids, random.Random(seed))
        assert tuple(shown) != ORDERING.option_ids


def test_ordering_form_refuses_two_steps_in_one_position():
    form = MultiDict({"position-propose": "1", "position-approve": "1",
                      "position-launch": "3"})
    assert ORDERING.spec.read_form(ORDERING, ORDERING.option_ids, form) == (
        [], "Give each step a different position, from 1 to 3.")


def test_ordering_form_sent_back_keeps_the_positions_given():
    form = MultiDict({"position-propose": "2", "position-launch": "x"})
    assert ORDERING.spec.kept_input(ORDERING.option_ids, form) == {
        "positions": {"propose": 2}}


def test_ordering_refuses_a_response_that_skips_a_step():
    with pytest.raises(ResponseError, match="every step"):
        ORDERING.spec.check(ORDERING, ("propose", "propose", "launch"))


def test_ordering_is_right_only_with_every_step_in_place():
    assert ORDERING.spec.is_correct(ORDERING, ["propose", "approve", "launch"])
    assert not ORDERING.spec.is_correct(ORDERING, ["approve", "propose", "launch"])
