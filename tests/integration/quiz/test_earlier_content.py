"""Passes and certificates earned on earlier content stay valid when the questions change."""

import random
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import acknowledge, pass_unit, sign_in

from elearn.certification.eligibility import CertificateStatus
from elearn.certification.services import passed_unit_ids, verify
from elearn.content import load_content
from elearn.models import Attempt, Certificate, Role, utcnow
from elearn.quiz import attempts as service

FIXTURE = Path(__file__).parents[2] / "fixtures" / "content"


@pytest.fixture
def content_dir(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def _rewrite_friends(content_dir: Path, drop: str) -> None:
    """Remove one question and reword another, as a content session would."""
    path = content_dir / "units" / "friends.yaml"
    data = yaml.safe_load(path.read_text())
    data["questions"] = [q for q in data["questions"] if q["id"] != drop]
    for q in data["questions"]:
        q["prompt"] = q["prompt"] + " (reworded)"
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_pass_and_its_certificate_survive_a_change_to_the_questions(
        app, db, make_person, cycle, content_dir):
    person = make_person(Role.STAFF)
    client = app.test_client()
    sign_in(client, person.email)
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    attempt = db.session.query(Attempt).filter_by(person_id=person.id,
                                                  unit_id="friends").one()
    old_fingerprint = attempt.content_fingerprint

    _rewrite_friends(content_dir, drop=attempt.question_ids[0])
    app.extensions["elearn_content"] = new = load_content(content_dir)
    assert new.units["friends"].fingerprint != old_fingerprint

    mine = service.attempts_for(db.session, person.id, cycle.id)
    states = {p.unit.id: p.state for p in service.progress(new, ["friends", "approval"], mine)}
    assert states == {"friends": service.UnitState.PASSED,
                      "approval": service.UnitState.PASSED}
    assert passed_unit_ids(db.session, person.id, cycle.id) == {"friends", "approval"}
    assert verify(db.session, certificate.code, date.today()).status is \
        CertificateStatus.VALID
    with pytest.raises(service.AttemptClosed, match="already passed"):
        service.start_attempt(db.session, new, person, cycle, "friends", date.today(),
                              utcnow(), random.Random(1))
    result = client.get(f"/attempts/{attempt.id}/result")
    assert result.status_code == 200
    assert "This question has since been changed." in result.get_data(as_text=True)
