"""The rule "passed in this cycle" has two readers: the learner's pages judge it from the
person's attempts in memory (quiz.attempts.progress), HR's figures and certificates from
one query (quiz.passes.passes_in_cycle). They must agree, whatever the history."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from elearn.current import content
from elearn.models import Attempt, AttemptResult, CarriedOverPass, ReviewCycle, Role, utcnow
from elearn.quiz.attempts import attempts_for, progress
from elearn.quiz.passes import carried_over, passed_unit_ids


@pytest.fixture
def content_dir():
    return Path(__file__).parents[3] / "modules"  # the Trust's content: units enough


def _attempt(db, person, cycle, unit_id, number, passed, fingerprint="current"):
    unit = content().units[unit_id]
    attempt = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id=unit_id, number=number,
                      content_fingerprint=unit.fingerprint if fingerprint == "current"
                      else fingerprint, question_ids=[], option_order={}, pass_mark=80)
    db.session.add(attempt)
    db.session.flush()
    if passed is not None:
        attempt.submitted_at = utcnow()
        db.session.add(AttemptResult(attempt_id=attempt.id, score=int(passed), max_score=1,
                                     percent=100 * int(passed), passed=passed, marks={},
                                     submitted_at=utcnow()))
    return attempt


def test_the_learners_pages_and_hr_agree_on_which_units_are_passed(db, make_person, cycle):
    person = make_person(Role.STAFF)
    units = list(content().units)
    earlier = ReviewCycle(policy_id="test-policy", policy_version="v0",
                          reviewed_on=date.today() - timedelta(days=400),
                          review_date=date.today() - timedelta(days=35))
    db.session.add(earlier)
    db.session.flush()
    # units[0]: nothing; [1]: failed; [2]: passed; [3]: open; [4]: failed, then passed;
    # [5]: passed on content since changed; [6]: carried over; [7]: carried over and open;
    # [8]: passed only in the earlier cycle (not carried over: it does not count).
    _attempt(db, person, cycle, units[1], 1, False)
    _attempt(db, person, cycle, units[2], 1, True)
    _attempt(db, person, cycle, units[3], 1, None)
    _attempt(db, person, cycle, units[4], 1, False)
    _attempt(db, person, cycle, units[4], 2, True)
    _attempt(db, person, cycle, units[5], 1, True, fingerprint="older content")
    for unit_id in (units[6], units[7]):
        before = _attempt(db, person, earlier, unit_id, 1, True)
        db.session.add(CarriedOverPass(person_id=person.id, cycle_id=cycle.id,
                                       unit_id=unit_id, attempt_id=before.id))
    _attempt(db, person, cycle, units[7], 1, None)
    _attempt(db, person, earlier, units[8], 1, True)
    db.session.commit()

    rows = progress(content(), units, attempts_for(db.session, person.id, cycle.id),
                    carried_over(db.session, person.id, cycle.id))
    on_the_learners_pages = {row.unit.id for row in rows if row.passed}
    assert on_the_learners_pages == passed_unit_ids(db.session, person.id, cycle.id)
    assert on_the_learners_pages == {units[2], units[4], units[5], units[6], units[7]}
