"""Starting an attempt uses the stratified draw: the stored questions hold every requirement."""

import random
from datetime import date
from pathlib import Path

import pytest

from elearn.content.drawing import unit_requirements
from elearn.current import content
from elearn.models import Role, utcnow
from elearn.quiz import attempts as service

ROOT = Path(__file__).parents[3]


@pytest.fixture
def content_dir():
    return ROOT / "modules"


def test_each_attempt_started_stores_questions_citing_every_requirement(db, make_person,
                                                                        cycle):
    governor = make_person(Role.GOVERNOR)
    trust_content = content()
    unit = trust_content.units["governor-village-group"]
    required = unit_requirements(trust_content, unit)
    assert unit.draw < len(unit.questions)
    drawn = set()
    for seed in range(100):
        attempt = service.start_attempt(db.session, trust_content, governor, cycle, unit.id,
                                        date.today(), utcnow(), random.Random(seed))
        db.session.flush()
        cited = {cid for qid in attempt.question_ids for cid in unit.question(qid).cites}
        assert required <= cited, seed
        drawn.add(tuple(attempt.question_ids))
        db.session.rollback()
    assert len(drawn) > 1
