"""The audit trail records sign-ins and HR actions; admins read it; nobody edits it."""

from datetime import date, timedelta

from helpers import csrf_token, sign_in

from elearn.audit import record
from elearn.models import AuditEvent, Role
from elearn.wording import long_date


def _actions(db):
    return [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]


def test_sign_ins_and_failures_are_recorded_with_the_address(client, db, make_person):
    person = make_person(Role.STAFF)
    sign_in(client, person.email, "wrong password here")
    sign_in(client, person.email)
    events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()
    assert [e.action for e in events] == ["sign-in-failed", "sign-in"]
    assert events[1].actor_id == person.id and events[1].address == "127.0.0.1"


def test_recording_a_review_is_audited_with_who_and_what(app, db, make_person, cycle):
    hr_person = make_person(Role.HR, school="central")
    hr = app.test_client()
    sign_in(hr, hr_person.email)
    page = hr.get("/hr/")
    hr.post("/hr/review", data={"csrf_token": csrf_token(page),
                                "reviewed_on": date.today().isoformat(),
                                "next_review": (date.today() + timedelta(days=365)).isoformat(),
                                "version": "v1", "retraining": "changed", "confirm": "yes"})
    event = db.session.query(AuditEvent).filter_by(action="review-recorded").one()
    assert event.actor_id == hr_person.id and event.details["version"] == "v1"
    assert event.details["retraining"] == "changed"


def test_admin_reads_and_filters_the_trail(app, db, make_person):
    admin = make_person(Role.ADMIN, school="central")
    staff = make_person(Role.STAFF)
    client = app.test_client()
    sign_in(client, staff.email, "wrong password here")
    sign_in(client, admin.email)
    page = client.get("/admin/audit?action=sign-in-failed").get_data(as_text=True)
    assert "Sign-in failed (wrong email or password)" in page
    assert f"Account {staff.email}" in page and "account:" not in page
    assert "1 event, newest first." in page


def test_the_trail_names_people_and_reviews_in_plain_words(app, db, make_person, cycle):
    admin = make_person(Role.ADMIN, school="central")
    staff = make_person(Role.STAFF)
    client = app.test_client()
    sign_in(client, staff.email)
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/"))})
    record(db.session, "review-recorded", actor_id=admin.id, address="127.0.0.1",
           subject=f"cycle:{cycle.id}", version="v1")
    db.session.commit()
    sign_in(client, admin.email)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Signed in<" in page and "Signed out<" in page  # by themselves: not named twice
    assert f"Recorded a policy review: Policy review of {long_date(cycle.reviewed_on)}" in page
    assert "policy version: v1" in page
    assert "person:" not in page and "cycle:" not in page
    assert ">sign-in<" not in page  # machine words only in the filter's option values


def test_only_admins_see_the_audit_trail(app, make_person):
    for role in (Role.STAFF, Role.HR, Role.LEADER, Role.GOVERNOR):
        client = app.test_client()
        sign_in(client, make_person(role, school="central").email)
        assert client.get("/admin/audit").status_code == 404, role


def test_the_app_offers_no_way_to_change_the_trail(app):
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)
