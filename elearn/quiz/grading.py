"""Scoring: pure functions over content and responses.

Rule: every question is worth one mark, given only for an exact answer; what is exact for
each kind is declared in elearn.content.kinds (single choice and true/false: the one correct
option; multiple response: exactly the set of correct options, no more and no fewer;
ordering: every step in the right place). Partial answers score nothing because a
half-right safeguarding procedure is not a safe one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from elearn.content.kinds import ResponseError
from elearn.content.model import Question

__all__ = ["Grade", "ResponseError", "check_response", "grade", "is_correct"]


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
    return question.spec.is_correct(question, response)


def grade(questions: Sequence[Question], responses: Mapping[str, Sequence[str]],
          pass_mark: int) -> Grade:
    """Grade an attempt; an unanswered question scores nothing."""
    marks = {q.id: int(q.id in responses and is_correct(q, responses[q.id])) for q in questions}
    score = sum(marks.values())
    max_score = len(questions)
    # Compare in integers: 4 of 5 is exactly 80%, never 79.999%.
    passed = max_score > 0 and score * 100 >= pass_mark * max_score
    return Grade(score, max_score, passed, marks)


def check_response(question: Question, response: Sequence[str]) -> tuple[str, ...]:
    """Validate a response against the question's own options; return it normalised."""
    options = set(question.option_ids)
    chosen = tuple(response)
    unknown = [o for o in chosen if o not in options]
    if unknown:
        raise ResponseError("That answer is not one of this question's options.")
    return question.spec.check(question, chosen)
