"""Reading and acknowledging the policy version in force, and what it means for completion."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from helpers import acknowledge, csrf_token, pass_unit, table

from elearn.models import Certificate, Completion, PolicyAcknowledgement, ReviewCycle, Role


def test_passing_every_unit_is_not_enough_until_the_policy_is_acknowledged(
        signed_in, db, cycle):
    client, person = signed_in(Role.GOVERNOR)
    pass_unit(client, db, "approval")
    assert db.session.query(Completion).count() == 0
    assert db.session.query(Certificate).count() == 0
    home = client.get("/").get_data(as_text=True)
    assert "Read the policy and confirm" in home and "this is the last step" in home
    response = acknowledge(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/#certs")
    certificate = db.session.query(Certificate).one()
    assert certificate.person_id == person.id and certificate.policy_version == "v1"


def test_acknowledging_first_completes_when_the_last_unit_is_passed(signed_in, db, cycle):
    client, _ = signed_in(Role.GOVERNOR)
    acknowledge(client)
    assert db.session.query(Certificate).count() == 0
    pass_unit(client, db, "approval")
    assert db.session.query(Certificate).count() == 1


def test_the_acknowledgement_keeps_person_version_cycle_and_time_once(signed_in, db, cycle):
    client, person = signed_in(Role.STAFF)
    acknowledge(client)
    acknowledge(client)
    record = db.session.query(PolicyAcknowledgement).one()
    assert (record.person_id, record.cycle_id, record.policy_version) == (
        person.id, cycle.id, "v1")
    assert record.acknowledged_at.date() == date.today()
    page = client.get("/policy").get_data(as_text=True)
    assert "you confirmed you have read and understood this policy (version v1)" in page
    assert 'action="/policy/acknowledge' not in page


def test_not_ticking_the_box_explains_and_records_nothing(signed_in, db, cycle):
    client, _ = signed_in(Role.STAFF)
    page = client.get("/policy")
    response = client.post("/policy/acknowledge", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert db.session.query(PolicyAcknowledgement).count() == 0


def test_no_acknowledgement_after_the_review_date(signed_in, db, cycle):
    cycle.review_date = date.today() - timedelta(days=1)
    db.session.commit()
    client, _ = signed_in(Role.STAFF)
    response = acknowledge(client)
    assert response.status_code == 302
    assert db.session.query(PolicyAcknowledgement).count() == 0


def test_a_new_cycle_needs_a_new_acknowledgement(signed_in, db, cycle):
    client, _ = signed_in(Role.STAFF)
    acknowledge(client)
    db.session.add(ReviewCycle(policy_id="test-policy", policy_version="v1",
                               reviewed_on=date.today(),
                               review_date=date.today() + timedelta(days=365)))
    db.session.commit()
    page = client.get("/policy").get_data(as_text=True)
    assert 'action="/policy/acknowledge#acknowledge"' in page


class TestWhenANewVersionTakesEffect:
    @pytest.fixture
    def content_dir(self, versioned_content):
        return versioned_content

    def test_the_policy_page_opens_on_what_changed_then_the_whole_text(self, signed_in,
                                                                       newer_cycle):
        newer_cycle()
        client, _ = signed_in(Role.STAFF)
        page = client.get("/policy").get_data(as_text=True)
        changed = page.index("What changed since version v1")
        assert changed < page.index('id="terms"')  # the whole text follows
        assert "or a former pupil</ins>" in page and "Some context.</del>" in page
        assert "version v2" in page

    def test_the_same_version_again_shows_no_changes(self, signed_in, cycle):
        client, _ = signed_in(Role.STAFF)
        assert "What changed" not in client.get("/policy").get_data(as_text=True)


def test_hr_sees_who_has_acknowledged_in_the_list_the_person_page_and_the_export(
        db, make_person, signed_in, cycle, trust_hr):
    client, person = signed_in(Role.STAFF, name="Reader Ruth")
    make_person(Role.STAFF, name="Nonreader Nick")
    acknowledge(client)
    hr = trust_hr
    listing = hr.get("/hr/people").get_data(as_text=True)
    assert re.search(r"Reader Ruth.*?Policy acknowledged \d", listing, re.S)
    assert re.search(r"Nonreader Nick.*?Policy not acknowledged", listing, re.S)
    page = hr.get(f"/hr/people/{person.id}").get_data(as_text=True)
    assert f"Version v1, on {date.today().day} {date.today():%B %Y}" in page
    rows = list(csv.DictReader(io.StringIO(hr.get("/hr/people.csv").data.decode("utf-8-sig"))))
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Reader Ruth"]["Policy acknowledged"].startswith(date.today().isoformat())
    assert by_name["Nonreader Nick"]["Policy acknowledged"] == "no"


def test_the_overview_counts_acknowledgements_per_school(make_person, signed_in, cycle, trust_hr):
    client, _ = signed_in(Role.STAFF)
    make_person(Role.STAFF)
    acknowledge(client)
    hr = trust_hr
    rows = table(hr.get("/hr/"), "Completion by school: people (each counted once, "
                                 "whatever their tracks)")
    header, school_a = rows[0], next(r for r in rows if r[0] == "School A")
    assert school_a[header.index("Policy acknowledged")] == "1"


def test_hr_lists_the_people_who_have_not_acknowledged(make_person, signed_in, cycle, trust_hr):
    client, _ = signed_in(Role.STAFF, name="Reader Ruth")
    make_person(Role.STAFF, name="Nonreader Nick")
    acknowledge(client)
    hr = trust_hr
    listing = hr.get("/hr/people?status=not_acknowledged").get_data(as_text=True)
    assert "Nonreader Nick" in listing and "Reader Ruth" not in listing


def test_an_unticked_confirmation_brings_the_learner_back_to_the_error(signed_in, cycle):
    client, _ = signed_in(Role.STAFF)
    page = client.get("/policy").get_data(as_text=True)
    assert 'action="/policy/acknowledge#acknowledge"' in page
