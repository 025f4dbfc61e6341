"""Who may act on what (issue 18): a review is the central team's act, and nobody can take
away the Trust's last administrator."""

from datetime import date, timedelta

import pytest
from helpers import csrf_token, sign_in

from elearn.models import AuditEvent, Person, ReviewCycle, Role
from elearn.people import leavers

TODAY = date.today()


def _review(client, **overrides):
    page = client.get("/hr/cycle")
    data = {"csrf_token": csrf_token(page), "reviewed_on": TODAY.isoformat(),
            "next_review": (TODAY + timedelta(days=365)).isoformat(), "version": "v1",
            "retraining": "all"}
    return client.post("/hr/review", data={**data, **overrides})


def test_school_hr_can_neither_preview_nor_record_a_trust_wide_review(app, db, make_person,
                                                                      cycle):
    school_hr = app.test_client()
    sign_in(school_hr, make_person(Role.HR, school="a").email)
    make_person(Role.STAFF, school="b", name="Bea In School B")
    assert "Record a review" not in school_hr.get("/hr/cycle").get_data(as_text=True)
    preview = _review(school_hr)
    assert preview.status_code == 404
    assert "School B" not in preview.get_data(as_text=True)
    assert _review(school_hr, confirm="yes").status_code == 404
    assert db.session.query(ReviewCycle).count() == 1
    assert db.session.query(AuditEvent).filter_by(action="review-recorded").count() == 0


def test_central_hr_and_administrators_record_reviews(app, db, make_person, cycle):
    for person in (make_person(Role.HR, school="central"), make_person(Role.ADMIN,
                                                                       school="central")):
        client = app.test_client()
        sign_in(client, person.email)
        assert _review(client).status_code == 200
    assert _review(client, confirm="yes").status_code == 302
    assert db.session.query(ReviewCycle).count() == 2


def test_only_central_hr_and_administrators_may_record_a_review(make_person):
    from elearn.auth.access import may_record_review

    assert may_record_review(make_person(Role.HR, school="central"))
    assert may_record_review(make_person(Role.ADMIN, school="b"))
    assert not may_record_review(make_person(Role.HR, school="a"))
    assert not may_record_review(make_person(Role.LEADER, Role.STAFF, school="central"))


def _mark_leaver(app, hr_email, person_id):
    hr = app.test_client()
    sign_in(hr, hr_email)
    data = {"csrf_token": csrf_token(hr.get("/hr/")), "left_on": TODAY.isoformat(),
            "understood": "y"}
    return hr.post(f"/hr/people/{person_id}/leaver", data=data)


def test_hr_cannot_mark_the_only_administrator_as_a_leaver(app, db, make_person):
    admin = make_person(Role.ADMIN, school="central")
    hr = make_person(Role.HR, school="central")
    assert _mark_leaver(app, hr.email, admin.id).status_code == 404
    assert db.session.get(Person, admin.id).active


def test_hr_cannot_mark_another_hr_officer_as_a_leaver(app, db, make_person):
    hr = make_person(Role.HR, school="central")
    other = make_person(Role.HR, school="a")
    assert _mark_leaver(app, hr.email, other.id).status_code == 404
    assert db.session.get(Person, other.id).active


def test_an_administrator_who_is_also_hr_marks_hr_and_admin_people_as_leavers(app, db,
                                                                             make_person):
    boss = make_person(Role.HR, Role.ADMIN, school="central")
    other_hr = make_person(Role.HR, school="a")
    other_admin = make_person(Role.ADMIN, school="central")
    assert _mark_leaver(app, boss.email, other_hr.id).status_code == 302
    assert _mark_leaver(app, boss.email, other_admin.id).status_code == 302
    assert not db.session.get(Person, other_hr.id).active
    assert not db.session.get(Person, other_admin.id).active


def test_the_last_active_administrator_cannot_be_made_a_leaver_by_any_caller(db, make_person):
    only_admin = make_person(Role.ADMIN, school="central")
    make_person(Role.ADMIN, school="central").active = False  # a former one does not count
    db.session.commit()
    with pytest.raises(leavers.PrivacyError, match="last active administrator"):
        leavers.mark_leaver(db.session, only_admin, TODAY)
    assert db.session.get(Person, only_admin.id).active
