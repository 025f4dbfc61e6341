"""Completion, certificates read back from real PDFs, verification and revocation."""

import hashlib
import html
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from helpers import acknowledge, csrf_token, pass_unit, revoke_as, sign_in
from pypdf import PdfReader

from elearn.certification.codes import display
from elearn.models import Certificate, Completion, Person, RateLimitHit, ReviewCycle, Role


@pytest.fixture
def completed(signed_in, cycle, db):
    """A member of staff who has passed every unit of the staff track."""
    client, person = signed_in(Role.STAFF, name="Ann <b>Lee</b> =SUM(A1)")
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    return client, person


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_passing_every_unit_completes_the_track_and_issues_one_certificate(completed, db,
                                                                          cycle):
    _, person = completed
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    assert certificate.track_id == "staff" and certificate.valid_until == cycle.review_date
    assert db.session.query(Completion).filter_by(person_id=person.id, track_id="staff",
                                                  cycle_id=cycle.id).count() == 1


def test_the_answer_that_completes_a_track_links_to_the_new_certificate(signed_in, cycle, db):
    client, person = signed_in(Role.STAFF)
    acknowledge(client)
    pass_unit(client, db, "friends")
    submitted = pass_unit(client, db, "approval")
    result = client.get(submitted.headers["Location"]).get_data(as_text=True)
    certificate = db.session.query(Certificate).filter_by(person_id=person.id).one()
    assert "You have completed the Staff track." in result
    assert f'href="/certificates/{certificate.code}.pdf">Download your certificate' in result


def test_certificate_pdf_holds_name_school_track_dates_and_number(completed, db, cycle):
    client, person = completed
    certificate = db.session.query(Certificate).one()
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert "Ann <b>Lee</b> =SUM(A1)" in text
    assert "School A" in text and "Staff track" in text
    assert f"{date.today().day} {date.today():%B %Y}" in text
    assert f"{cycle.review_date.day} {cycle.review_date:%B %Y}" in text
    assert display(certificate.code) in text
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert "Ann" in reader.metadata.title and reader.metadata.author


def test_download_serves_the_stored_bytes_whose_hash_is_kept(completed, db):
    client, _ = completed
    certificate = db.session.query(Certificate).one()
    first = client.get(f"/certificates/{certificate.code}.pdf").data
    second = client.get(f"/certificates/{certificate.code}.pdf").data
    assert first == second == certificate.pdf
    assert hashlib.sha256(first).hexdigest() == certificate.sha256


def test_download_is_private_and_revalidates_by_the_stored_hash(completed, db):
    client, _ = completed
    certificate = db.session.query(Certificate).one()
    url = f"/certificates/{certificate.code}.pdf"
    first = client.get(url)
    assert first.headers["ETag"] == f'"{certificate.sha256}"'
    assert "private" in first.headers["Cache-Control"]
    assert first.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-staff-{display(certificate.code)}.pdf"')
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    stale = client.get(url, headers={"If-None-Match": '"0123abcd"'})
    assert stale.status_code == 200 and stale.data == certificate.pdf


def test_a_matching_etag_reveals_nothing_to_someone_outside_the_scope(app, completed, db,
                                                                     make_person):
    certificate = db.session.query(Certificate).one()
    etag = f'"{certificate.sha256}"'
    other = app.test_client()
    sign_in(other, make_person(Role.STAFF, Role.LEADER, school="b").email)
    for headers in ({}, {"If-None-Match": etag}, {"If-None-Match": "*"}):
        response = other.get(f"/certificates/{certificate.code}.pdf", headers=headers)
        assert response.status_code == 404 and "ETag" not in response.headers, headers
    signed_out = app.test_client().get(f"/certificates/{certificate.code}.pdf",
                                       headers={"If-None-Match": etag})
    assert signed_out.status_code == 404


def test_an_erased_certificate_is_gone_even_for_a_copy_held_by_the_browser(
        app, completed, db, make_person):
    from elearn.models import Person, utcnow
    from elearn.people.leavers import erase

    client, person = completed
    certificate = db.session.query(Certificate).one()
    code, etag = certificate.code, f'"{certificate.sha256}"'
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    assert hr.get(f"/certificates/{code}.pdf", headers={"If-None-Match": etag}).status_code == 304
    leaver = db.session.get(Person, person.id)
    leaver.active = False  # only a leaver is ever erased
    erase(db.session, leaver, utcnow())
    db.session.commit()
    assert hr.get(f"/certificates/{code}.pdf").status_code == 404
    assert hr.get(f"/certificates/{code}.pdf", headers={"If-None-Match": etag}).status_code == 404


def test_an_unknown_certificate_is_404(completed):
    client, _ = completed
    assert client.get("/certificates/ACDEFGHJKMNP.pdf").status_code == 404
    assert client.get("/certificates/ACDEFGHJKMNP.pdf",
                      headers={"If-None-Match": "*"}).status_code == 404


def test_another_learner_gets_404_for_my_certificate(app, completed, db, make_person):
    certificate = db.session.query(Certificate).one()
    for role in (Role.STAFF, Role.GOVERNOR, Role.ADMIN):
        other = app.test_client()
        sign_in(other, make_person(role).email)
        assert other.get(f"/certificates/{certificate.code}.pdf").status_code == 404, role
    assert app.test_client().get(f"/certificates/{certificate.code}.pdf").status_code == 404


def test_head_teacher_downloads_their_schools_certificates_only(app, completed, db,
                                                                make_person):
    certificate = db.session.query(Certificate).one()
    own, other = app.test_client(), app.test_client()
    sign_in(own, make_person(Role.STAFF, Role.LEADER, school="a").email)
    sign_in(other, make_person(Role.STAFF, Role.LEADER, school="b").email)
    assert own.get(f"/certificates/{certificate.code}.pdf").status_code == 200
    assert other.get(f"/certificates/{certificate.code}.pdf").status_code == 404


def test_trust_hr_downloads_anyones_and_school_hr_only_their_schools(app, completed, db,
                                                                    make_person):
    certificate = db.session.query(Certificate).one()
    trust_hr, school_b_hr = app.test_client(), app.test_client()
    sign_in(trust_hr, make_person(Role.HR, school="central").email)
    sign_in(school_b_hr, make_person(Role.HR, school="b").email)
    assert trust_hr.get(f"/certificates/{certificate.code}.pdf").status_code == 200
    assert school_b_hr.get(f"/certificates/{certificate.code}.pdf").status_code == 404


def test_verification_shows_holder_school_track_and_dates_only(app, completed, db):
    certificate = db.session.query(Certificate).one()
    page = app.test_client().get(f"/verify/{display(certificate.code).lower()}")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Valid" in text
    assert "Ann <b>Lee</b> =SUM(A1)" in text and "Staff track" in text
    assert "<b>Lee</b>" not in page.get_data(as_text=True)  # escaped, not markup
    assert "School A" in text and "@example.org" not in text


def test_verify_form_redirects_a_typed_code_and_explains_a_malformed_one(app, completed, db):
    certificate = db.session.query(Certificate).one()
    visitor = app.test_client()
    typed = visitor.get(f"/verify?code={display(certificate.code)}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(certificate.code)
    bad = visitor.get("/verify?code=hello")
    assert bad.status_code == 422 and "never contain L, O" in bad.get_data(as_text=True)
    unknown = visitor.get("/verify/" + "a" * 12)
    assert unknown.status_code == 404 and "AAAA-AAAA-AAAA" in unknown.get_data(as_text=True)


def test_a_page_showing_an_error_says_so_first_in_its_title_and_focuses_the_summary(app):
    visitor = app.test_client()
    bad = visitor.get("/verify?code=K7QX").get_data(as_text=True)
    assert "<title>Error: Check a certificate ·" in bad
    assert re.search(r'<div class="error-summary"[^>]* autofocus', bad)
    good = visitor.get("/verify").get_data(as_text=True)
    assert "<title>Check a certificate ·" in good and "error-summary" not in good


def test_revoked_certificate_verifies_as_revoked(app, completed, db, make_person):
    certificate = db.session.query(Certificate).one()
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    response = revoke_as(hr, certificate.code, "Issued in error: duplicate account")
    assert response.status_code == 302
    text = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Revoked" in text and "duplicate account" not in text


def test_new_review_makes_everyone_due_again_and_old_certificates_expired(
        app, completed, db, make_person, cycle):
    client, _ = completed
    certificate = db.session.query(Certificate).one()
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    page = hr.get("/hr/cycle")
    next_review = date.today() + timedelta(days=365)
    response = hr.post("/hr/review", data={
        "csrf_token": csrf_token(page), "reviewed_on": date.today().isoformat(),
        "next_review": next_review.isoformat(), "version": "v1", "retraining": "all",
        "confirm": "yes"})
    assert response.status_code == 302
    assert db.session.query(ReviewCycle).count() == 2
    home = client.get("/").get_data(as_text=True)
    assert home.count("Not started") == 2
    assert "Expired" in home
    assert "Expired" in app.test_client().get(f"/verify/{certificate.code}").get_data(
        as_text=True)


def test_review_with_a_next_date_in_the_past_is_refused_and_changes_nothing(
        app, db, make_person, cycle):
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    page = hr.get("/hr/")
    response = hr.post("/hr/review", data={
        "csrf_token": csrf_token(page), "reviewed_on": date.today().isoformat(),
        "next_review": (date.today() - timedelta(days=1)).isoformat(), "version": "v1",
        "retraining": "all", "confirm": "yes"})
    assert response.status_code == 422
    assert "must be in the future" in response.get_data(as_text=True)
    assert db.session.query(ReviewCycle).count() == 1


def test_review_naming_an_unknown_version_is_refused(app, db, make_person, cycle):
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    page = hr.get("/hr/")
    response = hr.post("/hr/review", data={
        "csrf_token": csrf_token(page), "reviewed_on": date.today().isoformat(),
        "next_review": (date.today() + timedelta(days=300)).isoformat(), "version": "v9",
        "retraining": "all", "confirm": "yes"})
    assert response.status_code == 422 and "no policy version" in response.get_data(
        as_text=True)
    assert db.session.query(ReviewCycle).count() == 1


def test_no_certificate_after_the_review_date_and_learners_are_told(signed_in, cycle, db):
    client, _ = signed_in(Role.STAFF)
    pass_unit(client, db, "friends")
    cycle.review_date = date.today() - timedelta(days=1)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Review overdue" in home
    page = client.get("/units/approval")
    response = client.post("/units/approval/start", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "review date" in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


def test_hr_sees_the_overdue_review_plainly(app, db, make_person, cycle):
    cycle.review_date = date.today() - timedelta(days=3)
    db.session.commit()
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    assert "Review overdue" in hr.get("/hr/").get_data(as_text=True)


def test_hr_downloads_a_zip_of_a_schools_certificates(app, completed, db, make_person,
                                                      schools):
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    response = hr.get(f"/hr/schools/{schools['a'].id}/certificates.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    [name, listing] = archive.namelist()
    assert archive.read(name) == db.session.query(Certificate).one().pdf
    assert listing == "listing.txt" and name in archive.read(listing).decode()


def test_a_school_without_certificates_is_offered_no_zip(app, completed, make_person,
                                                        schools):
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    page = hr.get("/hr/cycle").get_data(as_text=True)
    assert f"/hr/schools/{schools['a'].id}/certificates.zip" in page
    assert f"/hr/schools/{schools['b'].id}/certificates.zip" not in page
    assert "School B: no certificates yet" in page
    empty = hr.get(f"/hr/schools/{schools['b'].id}/certificates.zip", follow_redirects=True)
    assert empty.mimetype == "text/html"
    assert "No certificates yet: nobody at School B has completed a track" in \
        empty.get_data(as_text=True)


def test_school_hr_cannot_download_another_schools_zip(app, completed, make_person, schools):
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="b").email)
    assert hr.get(f"/hr/schools/{schools['a'].id}/certificates.zip").status_code == 404


def test_staff_cannot_reach_hr_pages(app, signed_in, cycle):
    client, _ = signed_in(Role.STAFF)
    assert client.get("/hr/").status_code == 404


def test_cli_records_a_review_and_refuses_a_past_next_date(runner, db, cycle):
    past = runner.invoke(args=["review", "record", "--reviewed-on", date.today().isoformat(),
                               "--next-review", "2020-01-01"])
    assert past.exit_code != 0 and "must be in the future" in past.output
    ok = runner.invoke(args=["review", "record", "--reviewed-on", date.today().isoformat(),
                             "--next-review", (date.today() + timedelta(days=365)).isoformat(),
                             "--yes"])
    assert ok.exit_code == 0, ok.output
    assert db.session.query(ReviewCycle).count() == 2


def test_verification_is_rate_limited_per_address_across_servers(app, tmp_path):
    from elearn import create_app

    app.config["VERIFY_PER_MINUTE"] = 3
    other_server = create_app({**app.config, "ENVIRON": {
        "ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": app.config["SECRET_KEY"]}})
    other_server.config["VERIFY_PER_MINUTE"] = 3
    first, second = app.test_client(), other_server.test_client()
    assert first.get("/verify/" + "A" * 12).status_code == 404
    assert second.get("/verify/" + "A" * 12).status_code == 404
    assert first.get("/verify").status_code == 200  # the form itself counts nothing
    assert first.get("/verify/" + "A" * 12).status_code == 404
    refused = second.get("/verify/" + "A" * 12)
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    with other_server.app_context():
        other_server.extensions["sqlalchemy"].engine.dispose()


def test_the_verify_form_and_a_malformed_code_count_no_rate_limit_hit(app, db):
    app.config["VERIFY_PER_MINUTE"] = 1
    client = app.test_client()
    for _ in range(3):
        assert client.get("/verify").status_code == 200
        assert client.get("/verify?code=not-a-code").status_code == 422
    assert db.session.query(RateLimitHit).count() == 0
    assert client.get("/verify/" + "A" * 12).status_code == 404  # the lookup is counted
    assert client.get("/verify/" + "A" * 12).status_code == 429


@pytest.mark.parametrize("revalidating", [False, True])
def test_a_download_reads_the_person_and_the_certificate_in_one_statement(
        completed, db, trace_statements, revalidating):
    client, person = completed
    holder = db.session.get(Person, person.id)
    holder.set_roles({Role.STAFF, Role.LEADER, Role.GOVERNOR})  # a row per role
    db.session.commit()
    certificate = db.session.query(Certificate).one()
    code, pdf = certificate.code, certificate.pdf
    headers = {"If-None-Match": '"0123abcd"'} if revalidating else {}
    statements_sent = trace_statements()
    response = client.get(f"/certificates/{code}.pdf", headers=headers)
    assert response.status_code == 200 and response.data == pdf
    reading_the_person = [sql for sql in statements_sent if "session_token" in sql]
    assert len(reading_the_person) == 1 and "certificate" in reading_the_person[0]
    # A stale copy reads the file once more, only once it is known to be needed.
    assert len([sql for sql in statements_sent if "FROM certificate" in sql]) == revalidating


def test_a_person_signed_in_by_a_remember_me_cookie_downloads_their_certificate(
        app, completed, db):
    _, person = completed
    certificate = db.session.query(Certificate).one()
    first = app.test_client()
    sign_in(first, person.email, remember="y")
    remembered = app.test_client()  # only the remember-me cookie: the loader reads them
    name = app.config["REMEMBER_COOKIE_NAME"]
    remembered.set_cookie(name, first.get_cookie(name).value)
    response = remembered.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.data == certificate.pdf
