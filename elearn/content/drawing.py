"""Which questions of a unit one attempt asks: a draw that keeps every requirement in.

A unit may draw fewer questions than its pool holds, so that a retake is not a replay.
A plain random sample could leave out the one question that assesses a requirement, and
a learner could then pass the unit without ever being asked about it. The draw here is
stratified: it picks, uniformly at random, one of the draws of the right size that
together cite every requirement clause the unit assesses.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from itertools import combinations
from math import comb

from elearn.content.model import Content, Question, Unit

# Units hold a handful of questions, so listing every covering draw is cheap; above this
# many possible draws, sample and keep the first that covers (see covering_draw).
MAX_LISTED_DRAWS = 20_000
SAMPLING_TRIES = 10_000


def unit_requirements(content: Content, unit: Unit) -> frozenset[str]:
    """Requirement clauses, for a track that includes the unit, that the unit's questions cite.

    Uses the newest policy version: the one the units are written for.
    """
    track_ids = {t.id for t in content.tracks if unit.id in t.unit_ids}
    clauses = content.policy.clauses
    cited = {cid for q in unit.questions for cid in q.cites}
    return frozenset(cid for cid in cited if cid in clauses and clauses[cid].requirement
                     and track_ids & set(clauses[cid].tracks))


def _covers(questions: Iterable[Question], required: frozenset[str]) -> bool:
    cited: set[str] = set()
    for q in questions:
        cited.update(q.cites)
    return required <= cited


def covering_draws(questions: Sequence[Question], size: int,
                   required: frozenset[str]) -> list[tuple[int, ...]]:
    """Every choice of `size` question positions whose questions cite all of `required`."""
    return [combo for combo in combinations(range(len(questions)), size)
            if _covers((questions[i] for i in combo), required)]


def smallest_cover(questions: Sequence[Question], required: frozenset[str]) -> int | None:
    """The fewest questions that cite all of `required`; None if even all of them do not."""
    for size in range(0, len(questions) + 1):
        if any(_covers((questions[i] for i in combo), required)
               for combo in combinations(range(len(questions)), size)):
            return size
    return None


def covering_draw(unit: Unit, required: frozenset[str], rng: random.Random) -> list[Question]:
    """`unit.draw` questions, in the unit's own order, citing every clause in `required`.

    Raises ValueError if no draw of that size can: `flask content lint` catches that
    before content ships.
    """
    questions = list(unit.questions)
    if unit.draw >= len(questions):
        return questions
    if comb(len(questions), unit.draw) <= MAX_LISTED_DRAWS:
        draws = covering_draws(questions, unit.draw, required)
        if not draws:
            raise ValueError(f"unit '{unit.id}': no draw of {unit.draw} questions assesses "
                             f"every requirement it cites")
        return [questions[i] for i in rng.choice(draws)]
    for _ in range(SAMPLING_TRIES):
        combo = sorted(rng.sample(range(len(questions)), unit.draw))
        if _covers((questions[i] for i in combo), required):
            return [questions[i] for i in combo]
    raise ValueError(f"unit '{unit.id}': no covering draw found in {SAMPLING_TRIES} tries")
