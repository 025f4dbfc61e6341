"""One access matrix, generated from the app's URL map: every route × every kind of visitor.

A route added to the app without a row here fails `test_every_route_has_a_row`.

Outcomes: OK (the visitor may use it: any answer but 404, 403, 5xx or a sign-in redirect),
DENY (404: nothing about the resource is revealed), LOGIN (302 to the sign-in page),
BAD (400: a link token that is not valid, for everyone alike).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from helpers import csrf_token, sign_in
from sso_provider import elearn_settings

from elearn.models import (
    Attempt,
    AttemptResult,
    Certificate,
    Role,
    StaffImport,
    utcnow,
)

OK, DENY, LOGIN, BAD = "ok", "deny", "login", "bad"
VISITORS = ("anonymous", "staff", "governor", "leader_a", "leader_b", "hr", "admin")


def row(anonymous, staff, governor, leader_a, leader_b, hr, admin):
    return dict(zip(VISITORS, (anonymous, staff, governor, leader_a, leader_b, hr, admin),
                    strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK, OK)
NOBODY_BUT_OWNER = row(LOGIN, DENY, DENY, DENY, DENY, DENY, DENY)
HR_AND_HEADS = row(LOGIN, DENY, DENY, OK, OK, OK, DENY)
HR_AND_HEADS_OF_A = row(LOGIN, DENY, DENY, OK, DENY, OK, DENY)
HR_ONLY = row(LOGIN, DENY, DENY, DENY, DENY, OK, DENY)
HR_AND_ADMIN = row(LOGIN, DENY, DENY, DENY, DENY, OK, OK)
# Anonymous statistics: HR and administrators for the Trust, head teachers for their school.
HR_ADMIN_AND_HEADS = row(LOGIN, DENY, DENY, OK, OK, OK, OK)

# endpoint: (method, path template, expected outcome per visitor)
MATRIX: dict[str, tuple[str, str, dict[str, str]]] = {
    "healthz": ("GET", "/healthz", EVERYONE),
    "static": ("GET", "/static/app.css", EVERYONE),
    "auth.sign_in": ("GET", "/sign-in", EVERYONE),
    # Signing out always lands on the sign-in page, signed in or not.
    "auth.sign_out": ("POST", "/sign-out", row(*[LOGIN] * 7)),
    "auth.request_reset": ("GET", "/reset-password", EVERYONE),
    "auth.reset_password": ("GET", "/reset-password/not-a-token", row(*[BAD] * 7)),
    "auth.accept_invitation": ("GET", "/invitation/not-a-token", row(*[BAD] * 7)),
    # Sign-in with the school's account: the start sends anyone to the provider (or, signed
    # in, home); a callback without this browser's state is refused for everyone alike.
    "sso.start": ("GET", "/sign-in/sso/microsoft", EVERYONE),
    "sso.callback": ("GET", "/sign-in/sso/microsoft/callback?code=x&state=y", row(*[BAD] * 7)),
    "certificates.verify_form": ("GET", "/verify", EVERYONE),
    "certificates.verify_page": ("GET", "/verify/{code}", EVERYONE),
    "certificates.verify_file": ("POST", "/verify/file", EVERYONE),
    # The owner's certificate: HR of the Trust and the head of the owner's school only.
    "certificates.download": ("GET", "/certificates/{code}.pdf",
                              row(DENY, DENY, DENY, OK, DENY, OK, DENY)),
    "learner.home": ("GET", "/", SIGNED_IN),
    "learner.policy": ("GET", "/policy", SIGNED_IN),
    "learner.acknowledge_policy": ("POST", "/policy/acknowledge", SIGNED_IN),
    "learner.my_data": ("GET", "/my-data", SIGNED_IN),
    "learner.my_data_json": ("GET", "/my-data.json", SIGNED_IN),
    # A staff unit: people with the staff role (head teachers are staff too).
    "quiz.unit": ("GET", "/units/friends", row(LOGIN, OK, DENY, OK, OK, DENY, DENY)),
    "quiz.start": ("POST", "/units/friends/start", row(LOGIN, OK, DENY, OK, OK, DENY, DENY)),
    # Another person's attempt: nobody but its owner, whatever their role.
    "quiz.question": ("GET", "/attempts/{attempt}/questions/1", NOBODY_BUT_OWNER),
    "quiz.check": ("GET", "/attempts/{attempt}/check", NOBODY_BUT_OWNER),
    "quiz.submit": ("POST", "/attempts/{attempt}/submit", NOBODY_BUT_OWNER),
    "quiz.result": ("GET", "/attempts/{done_attempt}/result", NOBODY_BUT_OWNER),
    "hr.index": ("GET", "/hr/", HR_AND_HEADS),
    "hr.people": ("GET", "/hr/people", HR_AND_HEADS),
    "hr.people_csv": ("GET", "/hr/people.csv", HR_AND_HEADS),
    "hr.people_xlsx": ("GET", "/hr/people.xlsx", HR_AND_HEADS),
    "hr.person": ("GET", "/hr/people/{owner}", HR_AND_HEADS_OF_A),
    "hr.remind_person": ("POST", "/hr/people/{owner}/remind", HR_ONLY),
    "hr.issue_certificates": ("POST", "/hr/people/{owner}/certificates", HR_ONLY),
    "hr.remind_school": ("POST", "/hr/schools/{school_a}/remind", HR_ONLY),
    "hr.mark_leaver": ("POST", "/hr/people/{owner}/leaver", HR_ONLY),
    "people.import_staff": ("GET", "/hr/import", HR_ONLY),
    "understanding.understanding_page": ("GET", "/hr/understanding", HR_ADMIN_AND_HEADS),
    "understanding.understanding_csv": ("GET", "/hr/understanding.csv", HR_ADMIN_AND_HEADS),
    "understanding.questions_page": ("GET", "/hr/questions", HR_AND_ADMIN),
    "understanding.questions_csv": ("GET", "/hr/questions.csv", HR_AND_ADMIN),
    "people.import_preview": ("GET", "/hr/import/{upload}", HR_ONLY),
    "people.import_confirm": ("POST", "/hr/import/{upload}", HR_ONLY),
    "cycles.cycle_page": ("GET", "/hr/cycle", HR_AND_ADMIN),
    "cycles.record": ("POST", "/hr/review", HR_AND_ADMIN),
    "cycles.policy_changes": ("GET", "/hr/policy/changes", HR_AND_ADMIN),
    "cycles.revoke_certificate": ("POST", "/hr/certificates/revoke", HR_ONLY),
    "cycles.school_certificates": ("GET", "/hr/schools/{school_a}/certificates.zip", HR_ONLY),
    "admin.audit_trail": ("GET", "/admin/audit", row(LOGIN, DENY, DENY, DENY, DENY, DENY, OK)),
}


@pytest.fixture
def extra_environ(oidc_provider):
    """The app offers sign-in with a provider (a real one, tests/sso_provider), so that the
    sign-in-with routes are exercised rather than answering 404 for want of settings."""
    return elearn_settings(oidc_provider)


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "routes missing from the access matrix"
    assert set(MATRIX) - endpoints == set(), "rows for routes that no longer exist"


@pytest.fixture
def world(db, make_person, cycle, schools):
    """A learner of school A with an open and a finished attempt and a certificate."""
    owner = make_person(Role.STAFF, school="a", name="Owner Of Things")
    open_attempt = Attempt(person_id=owner.id, cycle_id=cycle.id, unit_id="friends", number=1,
                           content_fingerprint="x", question_ids=["single"],
                           option_order={"single": ["a", "b", "c"]}, pass_mark=80)
    done = Attempt(person_id=owner.id, cycle_id=cycle.id, unit_id="approval", number=1,
                   content_fingerprint="x", question_ids=["who"],
                   option_order={"who": ["head", "parent", "pupil"]}, pass_mark=80,
                   submitted_at=utcnow())
    db.session.add_all([open_attempt, done])
    db.session.flush()
    db.session.add(AttemptResult(attempt_id=done.id, score=1, max_score=1, percent=100,
                                 passed=True, marks={"who": 1}))
    certificate = Certificate(code="ACDEFGHJKMNP", person_id=owner.id, cycle_id=cycle.id,
                              track_id="staff", holder_name=owner.name, school_name="School A",
                              track_title="Staff track", policy_title="P", policy_version="v1",
                              completed_on=date.today(), valid_until=cycle.review_date,
                              template_version="t", sha256="0" * 64, pdf=b"%PDF-1.7")
    visitors = {
        "staff": make_person(Role.STAFF, school="a"),
        "governor": make_person(Role.GOVERNOR, school="a"),
        "leader_a": make_person(Role.STAFF, Role.LEADER, school="a"),
        "leader_b": make_person(Role.STAFF, Role.LEADER, school="b"),
        "hr": make_person(Role.HR, school="central"),
        "admin": make_person(Role.ADMIN, school="central"),
    }
    upload = StaffImport(uploaded_by_id=visitors["hr"].id, filename="staff.csv",
                         text="name,email,school,roles\n", uploaded_at=utcnow())
    db.session.add_all([certificate, upload])
    db.session.commit()
    return {"owner": owner.id, "attempt": open_attempt.id, "done_attempt": done.id,
            "code": certificate.code, "school_a": schools["a"].id, "upload": upload.id,
            "emails": {k: p.email for k, p in visitors.items()}}


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/sign-in" in location:
        return LOGIN
    if response.status_code == 404:
        return DENY
    if response.status_code == 400:
        return BAD
    if response.status_code in (403,) or response.status_code >= 500:
        return f"error {response.status_code}"
    return OK


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, world, endpoint):
    method, template, expected = MATRIX[endpoint]
    path = template.format(**world)
    seen = {}
    for visitor in VISITORS:
        client = app.test_client()
        if visitor != "anonymous":
            assert sign_in(client, world["emails"][visitor]).status_code == 302
        if method == "GET":
            response = client.get(path)
        else:
            token = csrf_token(client.get("/sign-in" if visitor == "anonymous" else "/policy"))
            response = client.post(path, data={"csrf_token": token})
        seen[visitor] = _outcome(response)
        response.close()
    assert seen == expected


def test_no_listing_or_export_shows_another_schools_people_to_a_head_teacher(app, world,
                                                                            make_person):
    stranger = make_person(Role.STAFF, school="b", name="Stranger In School B")
    client = app.test_client()
    sign_in(client, world["emails"]["leader_a"])
    for path in ("/hr/people", "/hr/people.csv", f"/hr/people?school={stranger.school_id}"):
        body = client.get(path).get_data(as_text=True)
        assert "Stranger In School B" not in body, path
        assert re.search(r"Owner Of Things", body) or "school=" in path, path
