"""Migrations that move data, run down and up again over rows the app wrote."""

from datetime import date, timedelta
from pathlib import Path

from flask_migrate import downgrade, upgrade

from elearn.current import content
from elearn.models import Attempt, AttemptResult, Role, utcnow
from elearn.quiz import attempts as service


def test_attempts_upgraded_to_carry_submitted_at_take_it_from_their_result(
        app, db, make_person, cycle):
    person, now = make_person(Role.STAFF), utcnow()
    unit = content().units["friends"]
    submitted = service.start_attempt(db.session, content(), person, cycle, "friends",
                                      date.today(), now)
    for question_id in submitted.question_ids:
        service.save_answer(db.session, content(), person, cycle, submitted.id, question_id,
                            sorted(unit.question(question_id).correct_ids), date.today(), now)
    service.submit_attempt(db.session, content(), person, cycle, submitted.id, date.today(),
                           now + timedelta(minutes=4))
    still_open = service.start_attempt(db.session, content(), person, cycle, "approval",
                                       date.today(), now)
    ids = submitted.id, still_open.id
    db.session.commit()
    db.session.remove()
    migrations = str(Path(app.root_path) / "migrations")
    downgrade(directory=migrations, revision="e5a1c7d93b20")
    upgrade(directory=migrations)
    db.session.remove()
    done, pending = (db.session.get(Attempt, attempt_id) for attempt_id in ids)
    assert done.submitted_at == db.session.get(AttemptResult, ids[0]).submitted_at
    assert done.submitted_at == now + timedelta(minutes=4)
    assert pending.submitted_at is None
