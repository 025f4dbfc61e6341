"""The action matrix (issue 18), generated from the URL map as the access matrix is: every
state-changing route × every kind of visitor × a target inside and outside the visitor's
scope (another school's person, certificate, import; the whole Trust's review).

A refused action must change nothing (a snapshot of every table the app keeps, audit trail
and throttling counters aside). An allowed one must change something: that proves the
request was well formed, so each refusal is a real refusal, not a form error.

A new POST route without a row fails `test_every_state_changing_route_has_a_row`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count

import pytest
from helpers import csrf_token, sign_in
from sqlalchemy import select

from elearn.auth.access import schools_to_manage
from elearn.certification import codes
from elearn.models import Attempt, Base, Certificate, Person, Role, StaffImport, utcnow
from elearn.people.staff_import import plan_import

VISITORS = ("anonymous", "staff_a", "governor_a", "leader_a", "hr_a", "hr_central", "admin",
            "hr_admin")
# Records of who did what and of failed attempts: they may grow on a refusal.
NOT_STATE = {"audit_event", "login_failure", "rate_limit_hit"}
TODAY = date.today()


@dataclass(frozen=True)
class Case:
    """One target: `make(world, n)` returns (path, form data) for a fresh target."""

    target: str
    make: Callable[[World, int], tuple[str, dict]]
    may: frozenset[str]
    # False: the allowed action has nothing to change for this target; being allowed is then
    # shown by its answer (a redirect to the target's page), a refusal by any other.
    changes: bool = True


@dataclass(frozen=True)
class Exempt:
    why: str


@dataclass
class World:
    db: object
    schools: dict
    people: dict
    cycle: object
    serial: count = field(default_factory=lambda: count(1))

    def person(self, *roles: Role, school: str) -> Person:
        n = next(self.serial)
        person = Person(name=f"Target {n}", email=f"target{n}@example.org",
                        school=self.schools[school], password_hash=None)
        person.set_roles(set(roles))
        self.db.session.add(person)
        self.db.session.commit()
        return person


def _leaver(school: str, *roles: Role):
    def make(world: World, n: int):
        target = world.person(*(roles or (Role.STAFF,)), school=school)
        return f"/hr/people/{target.id}/leaver", {"left_on": TODAY.isoformat(),
                                                   "understood": "y"}
    return make


def _remind_person(school: str):
    def make(world: World, n: int):
        return f"/hr/people/{world.person(Role.STAFF, school=school).id}/remind", {
            "confirm": "y"}
    return make


def _remind_school(school: str):
    def make(world: World, n: int):
        world.person(Role.STAFF, school=school)  # someone with training left to do
        return f"/hr/schools/{world.schools[school].id}/remind", {"confirm": "y"}
    return make


def _upload(school_name: str):
    def make(world: World, n: int):
        text = f"name,email,school,roles\nNew {n},new{n}@example.org,{school_name},staff\n"
        return "/hr/import", {"file": (io.BytesIO(text.encode()), "staff.csv")}
    return make


def _confirm(uploader: str):
    def make(world: World, n: int):
        by = world.people[uploader]
        text = f"name,email,school,roles\nNew {n},new{n}@example.org,School A,staff\n"
        upload = StaffImport(uploaded_by_id=by.id, filename="staff.csv", text=text,
                             uploaded_at=utcnow())
        world.db.session.add(upload)
        world.db.session.commit()
        plan = plan_import(world.db.session, text, schools_to_manage(by), False, by.id)
        return f"/hr/import/{upload.id}", {"digest": plan.digest()}
    return make


def _review(world: World, n: int):
    return "/hr/review", {"reviewed_on": TODAY.isoformat(), "version": "v1",
                          "next_review": (TODAY + timedelta(days=300 + n)).isoformat(),
                          "retraining": "all", "confirm": "yes"}


def _revoke(school: str):
    def make(world: World, n: int):
        holder = world.person(Role.STAFF, school=school)
        certificate = Certificate(
            code=codes.new_code(), person_id=holder.id, cycle_id=world.cycle.id,
            track_id="staff", holder_name=holder.name, school_name=school, track_title="T",
            policy_title="P", policy_version="v1", completed_on=TODAY,
            valid_until=world.cycle.review_date, template_version="t", sha256="0" * 64,
            pdf=b"%PDF-1.7")
        world.db.session.add(certificate)
        world.db.session.commit()
        return "/hr/certificates/revoke", {"code": certificate.code, "reason": "Issued wrongly",
                                           "confirm": "yes"}
    return make


def _issue(school: str):
    def make(world: World, n: int):
        return f"/hr/people/{world.person(Role.STAFF, school=school).id}/certificates", {}
    return make


def _others_attempt(path: str):
    def make(world: World, n: int):
        owner = world.person(Role.STAFF, school="a")
        attempt = Attempt(person_id=owner.id, cycle_id=world.cycle.id, unit_id="friends",
                          number=1, content_fingerprint="x", question_ids=["single"],
                          option_order={"single": ["a", "b", "c"]}, pass_mark=80)
        world.db.session.add(attempt)
        world.db.session.commit()
        return path.format(attempt=attempt.id), {"go": "next", "single": "a"}
    return make


SCHOOL_A_HR = frozenset({"hr_a", "hr_central", "hr_admin"})
TRUST_HR = frozenset({"hr_central", "hr_admin"})
NOBODY: frozenset[str] = frozenset()

ACTIONS: dict[str, list[Case] | Exempt] = {
    "hr.mark_leaver": [Case("staff of school A", _leaver("a"), SCHOOL_A_HR),
                       Case("staff of school B", _leaver("b"), TRUST_HR),
                       Case("HR officer of school B", _leaver("b", Role.HR),
                            frozenset({"hr_admin"})),
                       Case("administrator", _leaver("central", Role.ADMIN),
                            frozenset({"hr_admin"}))],
    "hr.remind_person": [Case("staff of school A", _remind_person("a"), SCHOOL_A_HR),
                         Case("staff of school B", _remind_person("b"), TRUST_HR)],
    "hr.remind_school": [Case("school A", _remind_school("a"), SCHOOL_A_HR),
                         Case("school B", _remind_school("b"), TRUST_HR)],
    "people.import_staff": [Case("a file for school A", _upload("School A"), SCHOOL_A_HR),
                            Case("a file for school B", _upload("School B"), TRUST_HR)],
    "people.import_confirm": [Case("school A's HR's upload", _confirm("hr_a"),
                                   frozenset({"hr_a"})),
                              Case("the central team's upload", _confirm("hr_central"),
                                   frozenset({"hr_central"}))],
    "cycles.record": [Case("the whole Trust", _review,
                           frozenset({"hr_central", "admin", "hr_admin"}))],
    "cycles.revoke_certificate": [Case("a certificate of school A", _revoke("a"), SCHOOL_A_HR),
                                  Case("a certificate of school B", _revoke("b"), TRUST_HR)],
    "hr.issue_certificates": [Case("staff of school A", _issue("a"), SCHOOL_A_HR, False),
                              Case("staff of school B", _issue("b"), TRUST_HR, False)],
    "certificates.verify_file": Exempt("checks an uploaded file against the records; changes "
                                       "nothing (rate-limited, test_verify_file.py)"),
    "quiz.question": [Case("another person's attempt",
                           _others_attempt("/attempts/{attempt}/questions/1"), NOBODY)],
    "quiz.submit": [Case("another person's attempt",
                         _others_attempt("/attempts/{attempt}/submit"), NOBODY)],
    "auth.sign_in": Exempt("signs the visitor in; throttling in tests/integration/auth"),
    "auth.sign_out": Exempt("ends the visitor's own sessions only"),
    "auth.request_reset": Exempt("the same answer for everyone; limits in test_password_links"),
    "auth.accept_invitation": Exempt("the emailed link is the authority (test_password_links)"),
    "auth.reset_password": Exempt("the emailed link is the authority (test_password_links)"),
    "learner.acknowledge_policy": Exempt("acknowledges for the visitor themself"),
    "quiz.start": Exempt("starts the visitor's own attempt; roles in the access matrix"),
}


def test_every_state_changing_route_has_a_row(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - set(ACTIONS) == set(), "POST routes missing from the action matrix"
    assert set(ACTIONS) - posts == set(), "rows for POST routes that no longer exist"


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table that holds the app's state, in a comparable form."""
    state = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in NOT_STATE:
            rows = db.session.execute(select(table)).all()
            state[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return state


@pytest.fixture
def world(db, schools, cycle, make_person):
    people = {
        "staff_a": make_person(Role.STAFF, school="a"),
        "governor_a": make_person(Role.GOVERNOR, school="a"),
        "leader_a": make_person(Role.STAFF, Role.LEADER, school="a"),
        "hr_a": make_person(Role.HR, school="a"),
        "hr_central": make_person(Role.HR, school="central"),
        "admin": make_person(Role.ADMIN, school="central"),
        "hr_admin": make_person(Role.HR, Role.ADMIN, school="central"),
    }
    return World(db, schools, people, cycle)


def _clients(app, world: World) -> dict:
    clients = {}
    for visitor in VISITORS:
        client = app.test_client()
        if visitor != "anonymous":
            assert sign_in(client, world.people[visitor].email).status_code == 302
        clients[visitor] = client
    return clients


CASES = [(endpoint, case) for endpoint, row in sorted(ACTIONS.items())
         if isinstance(row, list) for case in row]


@pytest.mark.parametrize("endpoint", sorted(e for e, r in ACTIONS.items()
                                            if isinstance(r, list)))
def test_actions_are_refused_outside_the_visitors_scope_and_change_nothing(
        app, db, world, endpoint):
    clients = _clients(app, world)
    wrong = []
    for n, (case, visitor) in enumerate(
            ((c, v) for c in ACTIONS[endpoint] for v in VISITORS), 1):
        client = clients[visitor]
        path, data = case.make(world, n)
        token = csrf_token(client.get("/sign-in" if visitor == "anonymous" else "/policy"))
        before = snapshot(db)
        response = client.post(path, data={**data, "csrf_token": token},
                               content_type="multipart/form-data")
        response.close()
        changed = snapshot(db) != before
        allowed = changed if case.changes else (
            response.status_code == 302 and path.startswith(response.headers["Location"]))
        if response.status_code >= 500 or (changed and not case.changes) \
                or allowed != (visitor in case.may):
            wrong.append(f"{visitor} on {case.target}: {response.status_code}, "
                         f"{'changed' if changed else 'nothing changed'}")
    assert wrong == []
