"""Personal data: a person's own export, leavers, erasure after the retention period."""

import json
from datetime import date, timedelta

from helpers import acknowledge, csrf_token, pass_unit, sign_in

from elearn.certification.codes import display
from elearn.models import AuditEvent, Certificate, Person, Role
from elearn.people.leavers import HOLDER_REMOVED
from elearn.wording import long_date


def test_a_person_downloads_everything_held_about_them(signed_in, cycle, db):
    client, person = signed_in(Role.STAFF)
    response = client.get("/my-data.json")
    data = json.loads(response.data)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert data["person"]["email"] == person.email
    assert {"attempts", "certificates", "activity", "failed_sign_ins"} <= set(data)
    assert any(e["action"] == "sign-in" for e in data["activity"])
    page = client.get("/my-data").get_data(as_text=True)
    assert person.email in page and "What elearn holds about you" in page


def test_my_data_page_reads_as_people_write_dates_titles_roles_and_numbers(signed_in,
                                                                           cycle, db):
    client, person = signed_in(Role.STAFF, Role.LEADER)
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    page = client.get("/my-data").get_data(as_text=True)
    assert "Head teacher or DSL, Staff" in page
    assert "<td>Friends" in page  # the unit's title, not its id
    assert f"number {display(certificate.code)}, completed on {long_date(date.today())}" in page
    assert f"acknowledged on {long_date(date.today())}" in page
    assert "T" + str(date.today().year) not in page and "+00:00" not in page


def test_my_data_never_shows_another_persons_data(app, signed_in, make_person, db):
    other = make_person(Role.STAFF, name="Someone Else")
    client, _ = signed_in(Role.STAFF)
    assert "Someone Else" not in client.get("/my-data").get_data(as_text=True)
    assert other.email not in client.get("/my-data.json").get_data(as_text=True)


def _mark_leaver(app, hr_email, person_id, left_on, understood=True):
    hr = app.test_client()
    sign_in(hr, hr_email)
    page = hr.get("/hr/")
    data = {"csrf_token": csrf_token(page), "left_on": left_on.isoformat()}
    return hr.post(f"/hr/people/{person_id}/leaver",
                   data=data | ({"understood": "y"} if understood else {}))


def test_marking_a_leaver_is_confirmed_and_errors_show_beside_their_fields(app, db,
                                                                           make_person):
    hr_person = make_person(Role.HR, school="central")
    leaver = make_person(Role.STAFF)
    unconfirmed = _mark_leaver(app, hr_person.email, leaver.id, date.today(),
                               understood=False)
    assert unconfirmed.status_code == 422
    page = unconfirmed.get_data(as_text=True)
    assert '<p class="error-message" id="understood-error">' in page
    assert "<title>Error: " in page
    assert db.session.get(Person, leaver.id).active


def test_hr_marks_a_leaver_who_can_no_longer_sign_in(app, db, make_person):
    hr_person = make_person(Role.HR, school="central")
    leaver = make_person(Role.STAFF)
    laptop = app.test_client()
    sign_in(laptop, leaver.email)
    assert _mark_leaver(app, hr_person.email, leaver.id, date.today()).status_code == 302
    assert laptop.get("/").status_code == 302  # their session has ended
    assert sign_in(app.test_client(), leaver.email).status_code == 200  # refused
    assert db.session.get(Person, leaver.id).left_on == date.today()


def test_school_hr_cannot_mark_a_leaver_in_another_school(app, db, make_person):
    hr_b = make_person(Role.HR, school="b")
    person_a = make_person(Role.STAFF, school="a")
    assert _mark_leaver(app, hr_b.email, person_a.id, date.today()).status_code == 404
    assert db.session.get(Person, person_a.id).active


def test_purge_erases_details_after_retention_but_keeps_figures_and_verification(
        app, db, make_person, runner, cycle):
    leaver = make_person(Role.STAFF, name="Lee Leaver", email="lee.leaver@example.org")
    keeper = make_person(Role.STAFF, name="Kim Keeper")
    certificate = Certificate(code="ACDEFGHJKMNP", person_id=leaver.id, cycle_id=cycle.id,
                              track_id="staff", holder_name="Lee Leaver",
                              school_name="School A", track_title="Staff track",
                              policy_title="P", policy_version="v1",
                              completed_on=date.today(), valid_until=cycle.review_date,
                              template_version="t", sha256="0" * 64, pdf=b"%PDF-1.7 Lee")
    db.session.add(certificate)
    leaver.active, leaver.left_on = False, date.today() - timedelta(days=400)
    keeper.active, keeper.left_on = False, date.today() - timedelta(days=10)
    db.session.commit()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "1 leaver(s) due for erasure" in dry.output
    assert db.session.get(Person, leaver.id).name == "Lee Leaver"
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "1 leaver(s) erased" in result.output
    erased = db.session.get(Person, leaver.id)
    assert "Lee" not in erased.name and "lee.leaver" not in erased.email
    assert erased.password_hash is None and erased.erased_at is not None
    assert db.session.get(Person, keeper.id).name == "Kim Keeper"  # within retention
    stored = db.session.query(Certificate).one()
    assert stored.pdf == b"" and stored.holder_name == HOLDER_REMOVED
    page = app.test_client().get("/verify/ACDEFGHJKMNP").get_data(as_text=True)
    assert "Holder details removed" in page and "Lee" not in page
    assert db.session.query(AuditEvent).filter_by(action="leaver-erased").count() == 1


def test_reimporting_a_leaver_clears_their_leaving_date_and_the_purge_spares_them(
        db, make_person, schools):
    from elearn.people.import_service import apply_import
    from elearn.people.leavers import due_for_erasure
    from elearn.people.staff_import import plan_import

    back = make_person(Role.STAFF, name="Bo Back", email="bo.back@example.org")
    back.active, back.left_on = False, date.today() - timedelta(days=400)
    db.session.commit()
    plan = plan_import(db.session, "name,email,school,roles\nBo Back,bo.back@example.org,"
                                   "School A,staff\n", None, False)
    apply_import(db.session, plan)
    db.session.commit()
    person = db.session.get(Person, back.id)
    assert person.active and person.left_on is None
    assert due_for_erasure(db.session, date.today(), 365) == []


def test_the_purge_never_erases_an_active_person_whatever_their_leaving_date(db,
                                                                              make_person):
    from elearn.people.leavers import due_for_erasure

    stale = make_person(Role.STAFF, name="Still Here")
    stale.left_on = date.today() - timedelta(days=400)  # active, with an old leaving date
    db.session.commit()
    assert due_for_erasure(db.session, date.today(), 365) == []
