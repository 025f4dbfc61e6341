"""Scoring: pure functions over content and responses.

Rule: every question is worth one mark, given only for an exact answer. Single choice and
true/false: the one correct option. Multiple response: exactly the set of correct options,
no more and no fewer. Ordering: every step in the right place. Partial answers score
nothing because a half-right safeguarding procedure is not a safe one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from elearn.content.model import Question, QuestionKind


@dataclass(frozen=True)
class Grade:
    score: int
    max_score: int
    passed: bool
    marks: dict[str, int]

    @property
    def percent(self) -> int:
        return (100 * self.score) // self.max_score if self.max_score else 0


def is_correct(question: Question, response: Sequence[str]) -> bool:
    """Whether a response earns the question's mark."""
    if question.kind is QuestionKind.ORDERING:
        return tuple(response) == question.correct_ids
    if question.kind is QuestionKind.MULTIPLE:
        return len(set(response)) == len(response) and set(response) == set(
            question.correct_ids)
    return tuple(response) == question.correct_ids


def grade(questions: Sequence[Question], responses: Mapping[str, Sequence[str]],
          pass_mark: int) -> Grade:
    """Grade an attempt; an unanswered question scores nothing."""
    marks = {q.id: int(q.id in responses and is_correct(q, responses[q.id])) for q in questions}
    score = sum(marks.values())
    max_score = len(questions)
    # Compare in integers: 4 of 5 is exactly 80%, never 79.999%.
    passed = max_score > 0 and score * 100 >= pass_mark * max_score
    return Grade(score, max_score, passed, marks)


class ResponseError(ValueError):
    """A response that does not fit the question; the message says what to fix."""


def check_response(question: Question, response: Sequence[str]) -> tuple[str, ...]:
    """Validate a response against the question's own options; return it normalised."""
    options = set(question.option_ids)
    chosen = tuple(response)
    unknown = [o for o in chosen if o not in options]
    if unknown:
        raise ResponseError("That answer is not one of this question's options.")
    if question.kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        if len(chosen) != 1:
            raise ResponseError("Choose one answer.")
    elif question.kind is QuestionKind.MULTIPLE:
        if not chosen:
            raise ResponseError("Choose at least one answer.")
        if len(set(chosen)) != len(chosen):
            raise ResponseError("Each answer can be chosen only once.")
        # Store in the question's order so an answer reads the same however it was sent.
        chosen = tuple(o for o in question.option_ids if o in set(chosen))
    elif question.kind is QuestionKind.ORDERING:
        if sorted(chosen) != sorted(options):
            raise ResponseError("Put every step in a different position.")
    return chosen
