"""A name the certificate's fonts cannot print holds the certificate back: nothing stored,
HR told whose name and why, the learner told HR will fix it; HR issues it once corrected."""

import html
import re

import pytest
from helpers import acknowledge, csrf_token, pass_unit, sign_in

from elearn.models import AuditEvent, Certificate, Completion, Person, Role

UNPRINTABLE = "Ꮳ Smith"  # Cherokee: no face of the certificate's design has it


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def held(signed_in, cycle, db):
    client, person = signed_in(Role.STAFF, name=UNPRINTABLE)
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    return client, person


@pytest.fixture
def hr(app, make_person):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="central").email)
    return client


def test_no_certificate_or_completion_is_stored_for_a_name_that_cannot_be_printed(held, db):
    _, person = held
    assert db.session.query(Certificate).filter_by(person_id=person.id).count() == 0
    assert db.session.query(Completion).filter_by(person_id=person.id).count() == 0
    event = db.session.query(AuditEvent).filter_by(action="certificate-held").one()
    assert event.subject == f"person:{person.id}" and "U+13E3" in event.details["reason"]


def test_the_learner_is_told_hr_will_fix_it(held):
    client, _ = held
    home = _text(client.get("/"))
    assert "Your certificate cannot be printed yet" in home and "HR can see this" in home


def test_hr_is_told_whose_name_cannot_be_printed_and_why(held, hr):
    _, person = held
    page = _text(hr.get(f"/hr/people/{person.id}"))
    assert "Certificate held back:" in page and UNPRINTABLE in page
    assert "“Ꮳ” (U+13E3 Cherokee Letter Tsa)" in page
    assert "Correct the name" in page
    assert "certificate now" not in page  # no button until the name can be printed


def test_once_the_name_is_corrected_hr_issues_the_certificate(held, hr, db):
    _, person = held
    db.session.get(Person, person.id).name = "Tsa Smith"  # as the staff import would
    db.session.commit()
    page = hr.get(f"/hr/people/{person.id}")
    assert "The name can now be printed" in _text(page)
    response = hr.post(f"/hr/people/{person.id}/certificates",
                       data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    assert certificate.holder_name == "Tsa Smith"
    assert "Certificate held back" not in _text(hr.get(f"/hr/people/{person.id}"))


def test_hr_cannot_issue_while_the_name_still_cannot_be_printed(held, hr, db):
    _, person = held
    page = hr.get(f"/hr/people/{person.id}")
    hr.post(f"/hr/people/{person.id}/certificates", data={"csrf_token": csrf_token(page)})
    assert db.session.query(Certificate).filter_by(person_id=person.id).count() == 0
