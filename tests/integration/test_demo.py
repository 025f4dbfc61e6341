"""`flask demo load`: the demo trust that `make run` starts with."""

import pytest
from helpers import REAL_CONTENT
from sqlalchemy import func, select

from elearn.models import (
    Attempt,
    Certificate,
    Completion,
    Person,
    PolicyAcknowledgement,
    School,
)


@pytest.fixture
def content_dir():
    return REAL_CONTENT


def test_demo_trust_is_part_way_through_outside_the_first_school(app, runner, db, tmp_path):
    app.instance_path = str(tmp_path / "instance")  # where the sign-ins are written
    result = runner.invoke(args=["demo", "load", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "learn-the-policy" in (tmp_path / "instance" / "demo-sign-ins.txt").read_text()
    schools = db.session.scalars(select(School).where(School.is_central.is_(False))
                                 .order_by(School.id)).all()
    assert len(schools) == 3 and db.session.query(Person).count() == 38

    def count(model, school):
        return db.session.scalar(select(func.count()).select_from(model).join(
            Person, Person.id == model.person_id).where(Person.school_id == school.id))

    first, *others = schools
    assert count(Completion, first) == 0 and count(PolicyAcknowledgement, first) == 0
    for school in others:  # three staff and a governor done in each
        assert count(Completion, school) == 4 and count(Certificate, school) == 4
        assert count(PolicyAcknowledgement, school) == 4
    # Whoever has made progress has signed in; nobody in the first school has.
    learners = db.session.scalars(select(Person).join(Attempt).distinct()).all()
    assert learners and all(p.last_sign_in_at is not None for p in learners)
    assert db.session.scalar(select(func.count()).select_from(Person).where(
        Person.school_id == first.id, Person.last_sign_in_at.is_not(None))) == 0
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert db.session.query(Person).count() == 38
