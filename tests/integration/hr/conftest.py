"""A hand-made trust whose completion figures are known, for the HR dashboard tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from elearn.models import (
    Attempt,
    AttemptResult,
    Certificate,
    Completion,
    Person,
    ReviewCycle,
    Role,
    utcnow,
)

_codes = itertools.count(1)


@dataclass
class Progress:
    """Writes attempts, results and completions straight into the database."""

    db: object
    cycle: ReviewCycle

    def attempt(self, person: Person, unit_id: str, percent: int | None = None,
                cycle: ReviewCycle | None = None) -> Attempt:
        cycle = cycle or self.cycle
        number = self.db.session.query(Attempt).filter_by(
            person_id=person.id, cycle_id=cycle.id, unit_id=unit_id).count() + 1
        attempt = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id=unit_id,
                          number=number, content_fingerprint="test", question_ids=[],
                          option_order={}, pass_mark=80)
        self.db.session.add(attempt)
        self.db.session.flush()
        if percent is not None:
            attempt.submitted_at = utcnow()  # a submitted attempt says so on its row
            self.db.session.add(AttemptResult(attempt_id=attempt.id, score=percent // 20,
                                              max_score=5, percent=percent,
                                              passed=percent >= 80, marks={}))
        self.db.session.commit()
        return attempt

    def complete(self, person: Person, track_id: str, unit_ids: tuple[str, ...],
                 certificate: bool = True) -> None:
        for unit_id in unit_ids:
            self.attempt(person, unit_id, 100)
        self.db.session.add(Completion(person_id=person.id, cycle_id=self.cycle.id,
                                       track_id=track_id))
        if certificate:
            n = next(_codes)
            self.db.session.add(Certificate(
                code=f"TESTCODE{n:04d}", person_id=person.id, cycle_id=self.cycle.id,
                track_id=track_id, holder_name=person.name, school_name="x",
                track_title=track_id, policy_title="p", policy_version="v1",
                completed_on=date.today(), valid_until=self.cycle.review_date,
                template_version="t", sha256="0" * 64, pdf=b"%PDF-1.7 test"))
        self.db.session.commit()


@pytest.fixture
def progress(db, cycle):
    return Progress(db, cycle)


@pytest.fixture
def trust(db, cycle, make_person, progress):
    """School A: a1 staff complete, a2 staff in progress, a3 staff not started, a4 governor
    not started, a5 governor complete, a6 inactive. School B: b1 staff not started (only an
    attempt in an old cycle), b2 staff+leader in progress. Central: HR, no training."""
    people = {
        "a1": make_person(Role.STAFF, name="Alice Able"),
        "a2": make_person(Role.STAFF, name="Bob Baker"),
        "a3": make_person(Role.STAFF, name="Cara Cole"),
        "a4": make_person(Role.GOVERNOR, name="Dan Dale"),
        "a5": make_person(Role.GOVERNOR, name="Eve Earl"),
        "a6": make_person(Role.STAFF, name="Fay Ford"),
        "b1": make_person(Role.STAFF, school="b", name="Gus Gray"),
        "b2": make_person(Role.STAFF, Role.LEADER, school="b", name="Hal Hunt"),
        "hr": make_person(Role.HR, school="central", name="Ivy HR"),
    }
    people["a6"].active = False
    old = ReviewCycle(policy_id="test-policy", policy_version="v0",
                      reviewed_on=cycle.reviewed_on - timedelta(days=365),
                      review_date=cycle.reviewed_on - timedelta(days=1))
    db.session.add(old)
    db.session.commit()
    progress.complete(people["a1"], "staff", ("friends", "approval"))
    progress.attempt(people["a2"], "friends", 60)
    progress.attempt(people["a2"], "approval")
    progress.complete(people["a5"], "governor", ("approval",))
    progress.attempt(people["b1"], "friends", 100, cycle=old)
    progress.attempt(people["b2"], "friends", 90)
    return people
