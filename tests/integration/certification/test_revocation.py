"""Revoking a certificate: asked for a reason and confirmed; shown to the holder, to HR and
in the school's ZIP."""

import io
import re
import zipfile

import pytest
from helpers import acknowledge, csrf_token, pass_unit, revoke_as, sign_in

from elearn.certification.codes import display
from elearn.models import Certificate, Role

REASON = "Issued in error: duplicate account"


@pytest.fixture
def holder(signed_in, cycle, db):
    client, person = signed_in(Role.STAFF, name="Amelia Patel")
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    return client, person, db.session.query(Certificate).filter_by(person_id=person.id).one()


@pytest.fixture
def hr(app, make_person):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="central").email)
    return client


def _text(response) -> str:
    import html
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_revoking_first_shows_what_would_be_revoked_and_changes_nothing(hr, holder, db):
    _, _, certificate = holder
    page = hr.get("/hr/cycle")
    confirm = hr.post("/hr/certificates/revoke", data={
        "csrf_token": csrf_token(page), "code": display(certificate.code), "reason": REASON})
    text = _text(confirm)
    assert confirm.status_code == 200 and "This cannot be undone" in text
    assert "Amelia Patel" in text and REASON in text
    assert f"Yes, revoke certificate {display(certificate.code)}" in text
    db.session.refresh(certificate)
    assert certificate.revoked_at is None


def test_confirming_revokes_with_the_reason(hr, holder, db):
    _, _, certificate = holder
    assert revoke_as(hr, display(certificate.code), REASON).status_code == 302
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None and certificate.revoked_reason == REASON


def test_revoking_without_a_reason_is_refused_before_confirmation(hr, holder, db):
    _, _, certificate = holder
    page = hr.get("/hr/cycle")
    response = hr.post("/hr/certificates/revoke", data={
        "csrf_token": csrf_token(page), "code": display(certificate.code), "reason": "no"})
    assert response.status_code == 422 and "This cannot be undone" not in _text(response)
    db.session.refresh(certificate)
    assert certificate.revoked_at is None


def test_the_holder_sees_when_and_why_and_is_offered_no_download(hr, holder):
    client, _, certificate = holder
    assert f"/certificates/{certificate.code}.pdf" in _text(client.get("/"))
    revoke_as(hr, display(certificate.code), REASON)
    home = _text(client.get("/"))
    assert "The Trust revoked this certificate on" in home and REASON in home
    assert f"/certificates/{certificate.code}.pdf" not in home
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 404


def test_hrs_person_page_shows_the_reason(hr, holder):
    _, person, certificate = holder
    revoke_as(hr, display(certificate.code), REASON)
    page = _text(hr.get(f"/hr/people/{person.id}"))
    assert "Revoked on" in page and f"Reason: {REASON}" in page


def test_the_school_zip_leaves_revoked_certificates_out_and_lists_them(
        app, hr, holder, make_person, db, schools):
    _, _, revoked = holder
    person = make_person(Role.STAFF, name="Ben Okafor")
    other = app.test_client()
    sign_in(other, person.email)
    acknowledge(other)
    pass_unit(other, db, "friends")
    pass_unit(other, db, "approval")
    kept = db.session.query(Certificate).filter_by(person_id=person.id).one()
    revoke_as(hr, display(revoked.code), REASON)
    assert "download 1 certificate (ZIP)" in _text(hr.get("/hr/cycle"))
    response = hr.get(f"/hr/schools/{schools['a'].id}/certificates.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 1 and archive.read(pdfs[0]) == kept.pdf
    listing = archive.read("listing.txt").decode()
    assert "In this ZIP (1):" in listing and "Ben Okafor" in listing
    assert "Revoked, and so left out of this ZIP (1):" in listing
    assert f"Amelia Patel, Staff track, certificate {display(revoked.code)}" in listing
    assert REASON in listing
