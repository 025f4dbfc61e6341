"""Security headers and cookie flags."""

from helpers import sign_in

from elearn.models import Role
from elearn.security_headers import CONTENT_SECURITY_POLICY


def test_every_page_sends_a_strict_content_security_policy(client):
    csp = client.get("/sign-in").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_pages_send_nosniff_and_a_referrer_policy(client):
    headers = client.get("/sign-in").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_https_deployment_sends_hsts_and_host_prefixed_secure_cookies(tmp_path):
    from conftest import close_app, make_app

    app = make_app(tmp_path, BASE_URL="https://elearn.example.org",
                   SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-elearn",
                   REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_NAME="__Host-elearn_remember")
    client = app.test_client()
    response = client.get("/sign-in", base_url="https://elearn.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("__Host-elearn="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie
    close_app(app)


def test_session_cookie_is_httponly_and_samesite_lax(client, make_person):
    person = make_person(Role.STAFF)
    response = sign_in(client, person.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("elearn_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _page_sending(app, **headers) -> str:
    """A page of the app's own that sets these response headers itself; its address."""
    app.add_url_rule("/sets-its-own-headers", "sets_its_own_headers",
                     lambda: ("A page", 200, {k.replace("_", "-"): v for k, v in headers.items()}))
    return "/sets-its-own-headers"


def test_a_page_that_chose_its_own_frame_policy_keeps_it_and_gets_the_others(app, client):
    page = _page_sending(app, X_Frame_Options="SAMEORIGIN")
    headers = client.get(page).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("Content-Security-Policy") == [CONTENT_SECURITY_POLICY]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_signed_in_page_that_chose_a_private_cache_policy_keeps_it(app, signed_in, cycle):
    page = _page_sending(app, Cache_Control="private, max-age=0, must-revalidate")
    client, _ = signed_in()
    assert client.get(page).headers.getlist("Cache-Control") == [
        "private, max-age=0, must-revalidate"]


def test_a_signed_in_page_that_asked_for_a_shared_cache_is_kept_out_of_caches(app, signed_in,
                                                                              cycle):
    page = _page_sending(app, Cache_Control="public, max-age=600")
    client, _ = signed_in()
    assert client.get(page).headers.getlist("Cache-Control") == ["private, no-store"]


def _no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_pages_with_personal_or_hr_data_are_never_stored_by_a_browser_or_proxy(
        app, make_person, cycle):
    hr_person = make_person(Role.HR, Role.STAFF, school="central")
    client = app.test_client()
    sign_in(client, hr_person.email)
    for path in ("/", "/my-data", "/hr/", "/hr/people", f"/hr/people/{hr_person.id}",
                 "/hr/cycle", "/policy"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
    static = client.get("/static/app.css")
    assert not _no_store(static)  # the same for everyone: may be cached
    static.close()


def test_a_schools_certificate_zip_is_never_stored(app, db, make_person, cycle):
    from datetime import date

    from elearn.models import Certificate

    holder = make_person(Role.STAFF, school="a")
    db.session.add(Certificate(code="ACDEFGHJKMNP", person_id=holder.id, cycle_id=cycle.id,
                               track_id="staff", holder_name=holder.name, school_name="School A",
                               track_title="Staff track", policy_title="P", policy_version="v1",
                               completed_on=date.today(), valid_until=cycle.review_date,
                               template_version="t", sha256="0" * 64, pdf=b"%PDF-1.7"))
    db.session.commit()
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="central").email)
    response = client.get(f"/hr/schools/{holder.school_id}/certificates.zip")
    assert response.mimetype == "application/zip" and _no_store(response)
