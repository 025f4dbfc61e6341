"""The statistics' rules, as plain functions: no Flask, no database.

Facility is the share of first-attempt answers that were right. Discrimination is the
corrected item-total correlation (point-biserial): the Pearson correlation, over the
attempts that answered the question, between the question's mark (0 or 1) and the rest of
the attempt's score (the score without this question). Both are computed from sums that
SQL aggregates return, so no per-person row ever leaves the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# The small-numbers rule: a figure about fewer than this many people is never shown.
MIN_PEOPLE = 5
FEWER_THAN = f"fewer than {MIN_PEOPLE}"
# Flags need enough answers to mean something: below this, a question is not flagged.
MIN_ANSWERS_TO_FLAG = 10
EASY = 0.95  # facility at or above: almost everyone gets it right
HARD = 0.30  # facility below: most people get it wrong
NEGATIVE = 0.0  # discrimination below: those doing well overall get it wrong more often


@dataclass(frozen=True, slots=True)
class Sums:
    """What SQL adds up over the attempts answering one question: n attempts, right
    answers, Σ score, Σ score² and Σ score over the right answers (score: the attempt's)."""

    n: int = 0
    right: int = 0
    score: int = 0
    score_sq: int = 0
    score_when_right: int = 0

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.right + other.right, self.score + other.score,
                    self.score_sq + other.score_sq,
                    self.score_when_right + other.score_when_right)

    @classmethod
    def of(cls, marks: Sequence[int], scores: Sequence[int]) -> Sums:
        """The sums for marks and whole-attempt scores given one by one (tests, CLI)."""
        return cls(len(marks), sum(marks), sum(scores), sum(s * s for s in scores),
                   sum(s for m, s in zip(marks, scores, strict=True) if m))


def facility(right: int, answered: int) -> float | None:
    """The share of answers that were right; None when nobody answered."""
    return right / answered if answered else None


def discrimination(sums: Sums) -> float | None:
    """Correlation of the question's mark x with the rest of the score y = score - x.

    With x in {0, 1}: Σx² = Σx, Σxy = Σ(x·score) - Σx, Σy = Σscore - Σx and
    Σy² = Σscore² - 2Σ(x·score) + Σx. None when it is undefined: fewer than two
    attempts, or no spread in the mark (everyone right, or everyone wrong) or in the rest.
    """
    n, sx = sums.n, sums.right
    if n < 2:
        return None
    sy = sums.score - sx
    sxy = sums.score_when_right - sx
    syy = sums.score_sq - 2 * sums.score_when_right + sx
    var_x = n * sx - sx * sx
    var_y = n * syy - sy * sy
    if var_x <= 0 or var_y <= 0:
        return None
    return (n * sxy - sx * sy) / math.sqrt(var_x * var_y)


def flags(answered: int, share_right: float | None, r: float | None,
          unchosen_distractors: int) -> list[str]:
    """Plain-words warnings that a question may not work, once enough people answered."""
    if answered < MIN_ANSWERS_TO_FLAG or share_right is None:
        return []
    found = []
    if share_right >= EASY:
        found.append("almost everyone gets it right")
    if share_right < HARD:
        found.append("most people get it wrong")
    if r is not None and r < NEGATIVE:
        found.append("people who do well overall get it wrong")
    if unchosen_distractors:
        found.append("a distractor nobody chooses" if unchosen_distractors == 1
                     else f"{unchosen_distractors} distractors nobody chooses")
    return found


def enough_people(people: int) -> bool:
    """The small-numbers rule: a figure may be shown only about 5 people or more."""
    return people >= MIN_PEOPLE


def count_text(people: int) -> str:
    """A count of people as the pages and exports show it."""
    if people == 0:
        return "none"
    return f"{people:,}" if enough_people(people) else FEWER_THAN


def share_text(right: int, answered: int, people: int) -> str:
    """A share right, as a whole percentage, only about 5 people or more."""
    if not enough_people(people):
        return FEWER_THAN if people else "no answers"
    return f"{round(100 * right / answered)}%"
