"""The stratified draw: every requirement a unit assesses is in every attempt's questions."""

import random
from pathlib import Path

import pytest

from elearn.content import load_content
from elearn.content.drawing import covering_draw, covering_draws, unit_requirements
from elearn.quiz.attempts import draw

REAL = Path(__file__).parents[3] / "modules"
CONTENT = load_content(REAL)
SEEDS = range(1_000)
PARTIAL = [u for u in CONTENT.units.values() if u.draw < len(u.questions)]


def _cited(questions) -> set[str]:
    return {cid for q in questions for cid in q.cites}


def test_some_units_of_the_trust_content_draw_fewer_questions_than_they_hold():
    assert len(PARTIAL) >= 3


@pytest.mark.parametrize("unit_id", sorted(CONTENT.units))
def test_every_attempt_at_a_unit_asks_about_every_requirement_it_assesses(unit_id):
    unit = CONTENT.units[unit_id]
    required = unit_requirements(CONTENT, unit)
    assert required  # every unit assesses some requirement
    for seed in SEEDS:
        ids, _ = draw(unit, random.Random(seed), required)
        assert len(ids) == unit.draw
        drawn = [unit.question(qid) for qid in ids]
        assert required <= _cited(drawn), (seed, sorted(required - _cited(drawn)))
        order = [q.id for q in unit.questions if q.id in ids]
        assert ids == order  # the unit's own order is kept


@pytest.mark.parametrize("unit_id", sorted(u.id for u in PARTIAL))
def test_every_draw_that_keeps_the_requirements_can_come_up(unit_id):
    unit = CONTENT.units[unit_id]
    required = unit_requirements(CONTENT, unit)
    possible = {tuple(unit.questions[i].id for i in combo)
                for combo in covering_draws(list(unit.questions), unit.draw, required)}
    seen = {tuple(q.id for q in covering_draw(unit, required, random.Random(seed)))
            for seed in SEEDS}
    assert seen == possible and len(seen) > 1


def test_a_plain_random_sample_would_leave_a_requirement_out():
    # Why the draw is stratified: with rng.sample, some attempts miss a requirement.
    missed = 0
    for unit in PARTIAL:
        required = unit_requirements(CONTENT, unit)
        for seed in range(200):
            sample = random.Random(seed).sample(list(unit.questions), unit.draw)
            missed += not required <= _cited(sample)
    assert missed > 0


def test_requirements_are_those_of_the_units_tracks_only():
    unit = CONTENT.units["adult-posing-as-child"]
    required = unit_requirements(CONTENT, unit)
    assert "service.approval" in required  # a staff requirement, cited by alex-plan
    assert "purpose.official-information" not in unit_requirements(
        CONTENT, CONTENT.units["night-out-photos"])  # cited, but not a requirement


def test_a_draw_that_cannot_hold_every_requirement_is_refused():
    unit = CONTENT.units["class-account"]
    with pytest.raises(ValueError, match="class-account"):
        covering_draw(unit, _cited(unit.questions) | {"no.such-clause"}, random.Random(1))
