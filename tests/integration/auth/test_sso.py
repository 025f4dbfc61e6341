"""Sign-in with the school's account, round trip against a real OpenID Connect provider process
(tests/sso_provider), driven with the test client and plain HTTP, without a browser."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import sign_in
from sqlalchemy import func, select
from sso_provider import DOMAIN, elearn_settings, google_user, microsoft_user

from elearn.auth import throttle
from elearn.extensions import db as _db
from elearn.models import AuditEvent, Base, LoginFailure, Person, Role, utcnow

CALLBACKS = [f"http://127.0.0.1:5000/sign-in/sso/{n}/callback" for n in ("microsoft", "google")]


@pytest.fixture
def extra_environ(oidc_provider):
    return elearn_settings(oidc_provider)


def round_trip(client, provider, user, *, via="microsoft", spoil=None):
    """Start at elearn, "sign in" at the provider, come back: (callback response, its URL)."""
    provider.control(user=user, redirect_uris=CALLBACKS, next_token=spoil)
    start = client.get(f"/sign-in/sso/{via}")
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    callback = f"{back.path}?{back.query}"
    return client.get(callback), callback


def row_counts(db) -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def last_event(db) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_the_authorization_request_uses_pkce_s256_a_state_and_a_nonce(client, oidc_provider,
                                                                     make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
    sent = oidc_provider.last_authorize()
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 20 and len(sent["nonce"]) >= 20
    assert sent["scope"] == "openid email profile" and sent["response_type"] == "code"
    assert sent["redirect_uri"] == CALLBACKS[0]


def test_a_verified_email_signs_in_the_person_hr_imported_whatever_its_case(
        client, db, oidc_provider, make_person):
    person = make_person(Role.STAFF, email="ava.evans@school.example.org", name="Ava Evans")
    before = row_counts(db)
    response, _ = round_trip(client, oidc_provider, microsoft_user("Ava.Evans@School.Example.ORG"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Ava Evans" in client.get("/").get_data(as_text=True)
    assert row_counts(db) == {**before, "audit_event": before["audit_event"] + 1}
    event = last_event(db)
    assert (event.action, event.actor_id, event.details) == ("sign-in", person.id,
                                                            {"via": "microsoft"})
    db.session.refresh(person)
    assert person.last_sign_in_at is not None


def test_a_google_workspace_account_of_an_allowed_domain_signs_in(client, oidc_provider,
                                                                  make_person):
    make_person(Role.GOVERNOR, email="gus@school.example.org", name="Gus Governor")
    response, _ = round_trip(client, oidc_provider, google_user("gus@school.example.org"),
                             via="google")
    assert response.status_code == 302
    assert "Gus Governor" in client.get("/").get_data(as_text=True)


def test_signing_in_with_sso_returns_to_the_page_asked_for(client, oidc_provider, make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    oidc_provider.control(user=microsoft_user("ava@school.example.org"), redirect_uris=CALLBACKS)
    start = client.get("/sign-in/sso/microsoft?next=/my-data")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/my-data"


def test_signing_out_everywhere_ends_every_sso_session(app, oidc_provider, make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    laptop, phone = app.test_client(), app.test_client()
    for client in (laptop, phone):
        round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
        assert client.get("/").status_code == 200
    laptop.post("/sign-out", data={"csrf_token": _csrf(laptop)})
    assert "/sign-in" in phone.get("/").headers["Location"]


def _csrf(client) -> str:
    from helpers import csrf_token
    return csrf_token(client.get("/policy"))


def _inactive(make_person, db):
    person = make_person(Role.STAFF, email="left@school.example.org")
    person.active = False
    db.session.commit()
    return microsoft_user("left@school.example.org"), {}


REFUSALS = {
    # case: (claims, how the provider spoils the token, expected status, words on the page)
    "unknown email": (lambda mp, db: (microsoft_user("stranger@school.example.org"), {}),
                      403, "does not know stranger@school.example.org"),
    "inactive person": (_inactive, 403, "HR has recorded that you have left"),
    "wrong tenant": (lambda mp, db: (microsoft_user("ava@school.example.org",
                                                    tid="another-tenant"), {}),
                     403, "does not belong to a school of the Trust"),
    "wrong domain": (lambda mp, db: (google_user("ava@school.example.org", hd="gmail.com"),
                                     {"via": "google"}),
                     403, "does not belong to a school of the Trust"),
    "unverified email": (lambda mp, db: (google_user("ava@school.example.org",
                                                     email_verified=False), {"via": "google"}),
                         403, "did not confirm that the email address"),
    "tampered token": (lambda mp, db: (microsoft_user("ava@school.example.org"),
                                       {"spoil": "tampered"}), 400, "could not be verified"),
    "expired token": (lambda mp, db: (microsoft_user("ava@school.example.org"),
                                      {"spoil": "expired"}), 400, "had expired"),
    "wrong nonce": (lambda mp, db: (microsoft_user("ava@school.example.org"),
                                    {"spoil": "wrong-nonce"}), 400, "was not for this sign-in"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_sign_in_explains_why_and_stores_only_its_audit_entry(
        case, client, db, oidc_provider, make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    arrange, status, words = REFUSALS[case]
    user, options = arrange(make_person, db)
    before = row_counts(db)
    response, _ = round_trip(client, oidc_provider, user, **options)
    page = response.get_data(as_text=True)
    assert response.status_code == status and words in page.replace("&#39;", "'")
    assert "What to do" in page
    # The audit entry, and the throttling count a wrong password also leaves.
    assert row_counts(db) == {**before, "audit_event": before["audit_event"] + 1,
                              "login_failure": before["login_failure"] + 1}
    assert last_event(db).action == "sign-in-refused"
    assert "/sign-in" in client.get("/").headers["Location"]


def test_a_replayed_state_is_refused_and_stores_only_its_audit_entry(client, db, oidc_provider,
                                                                    make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    first, callback = round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
    assert first.status_code == 302
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    before = row_counts(db)
    again = client.get(callback)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert row_counts(db) == {**before, "audit_event": before["audit_event"] + 1,
                              "login_failure": before["login_failure"] + 1}
    assert last_event(db).details == {"via": "microsoft", "reason": "replayed-state"}


def test_cancelling_at_the_provider_is_explained_and_not_counted_as_a_failure(
        client, db, oidc_provider):
    oidc_provider.control(user=None, redirect_uris=CALLBACKS)
    start = client.get("/sign-in/sso/microsoft")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get(f"/sign-in/sso/microsoft/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "Microsoft did not sign you in" in response.get_data(as_text=True)
    assert last_event(db).details == {"via": "microsoft", "reason": "cancelled"}
    assert row_counts(db)["login_failure"] == 0


def test_sso_refusals_count_towards_the_address_throttle(app, client, db, oidc_provider):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    for _ in range(3):  # two free, then a wait
        round_trip(client, oidc_provider, microsoft_user("nobody@school.example.org"))
    response, _ = round_trip(client, oidc_provider, microsoft_user("nobody@school.example.org"))
    assert response.status_code == 429 and "Too many failed sign-ins" in response.get_data(
        as_text=True)
    assert last_event(db).action == "sign-in-throttled"


def test_an_account_throttled_by_wrong_passwords_here_cannot_sign_in_with_sso_from_here(
        app, client, db, oidc_provider, make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_PAIR"] + 1):
        throttle.record_failure(db.session, "ava@school.example.org", "127.0.0.1",
                                utcnow() - timedelta(seconds=10))
    db.session.commit()
    response, _ = round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
    assert response.status_code == 429
    assert "/sign-in" in client.get("/").headers["Location"]


def test_wrong_passwords_from_another_address_never_stop_the_owner_signing_in_with_sso(
        app, client, db, oidc_provider, make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    for _ in range(20):
        throttle.record_failure(db.session, "ava@school.example.org", "10.0.0.9",
                                utcnow() - timedelta(seconds=10))
    db.session.commit()
    round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
    assert client.get("/").status_code == 200


def test_an_sso_sign_in_forgives_the_accounts_earlier_failures(client, db, oidc_provider,
                                                               make_person):
    make_person(Role.STAFF, email="ava@school.example.org")
    throttle.record_failure(db.session, "ava@school.example.org", "10.0.0.9", utcnow())
    db.session.commit()
    round_trip(client, oidc_provider, microsoft_user("ava@school.example.org"))
    assert row_counts(db)["login_failure"] == 0


def test_no_sign_in_ever_creates_a_person(client, db, oidc_provider):
    round_trip(client, oidc_provider, google_user(f"new.starter@{DOMAIN}"), via="google")
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_the_sign_in_page_offers_each_provider_above_the_password_form(client):
    page = client.get("/sign-in").get_data(as_text=True)
    microsoft = page.index("Sign in with Microsoft")
    google = page.index("Sign in with Google")
    assert microsoft < google < page.index('name="password"')
    assert 'href="/sign-in/sso/microsoft"' in page


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/sign-in/sso/facebook").status_code == 404
    assert client.get("/sign-in/sso/facebook/callback").status_code == 404


class TestPasswordsForAdministratorsOnly:
    @pytest.fixture
    def extra_environ(self, oidc_provider):
        return {**elearn_settings(oidc_provider), "ELEARN_PASSWORD_SIGN_IN": "admins"}

    def test_staff_cannot_sign_in_with_even_the_right_password(self, client, make_person):
        staff = make_person(Role.STAFF)
        response = sign_in(client, staff.email)
        assert response.status_code == 200
        assert "not right" in response.get_data(as_text=True)

    def test_an_administrator_still_can(self, client, make_person):
        assert sign_in(client, make_person(Role.ADMIN).email).status_code == 302

    def test_the_sign_in_page_says_passwords_are_for_administrators(self, client):
        page = client.get("/sign-in").get_data(as_text=True)
        assert "Password sign-in is for administrators only" in page
        assert "invitation email" not in page


def test_an_unreachable_provider_is_explained(tmp_path, oidc_provider):
    from conftest import TEST_ENVIRON, close_app, make_app
    from helpers import free_port

    settings = {**elearn_settings(oidc_provider),
                "ELEARN_SSO_MICROSOFT_ISSUER": f"http://127.0.0.1:{free_port()}"}
    app = make_app(tmp_path, ENVIRON={**TEST_ENVIRON, **settings})
    try:
        response = app.test_client().get("/sign-in/sso/microsoft")
        assert response.status_code == 503
        assert "Microsoft could not be reached" in response.get_data(as_text=True)
        with app.app_context():  # a provider that is down locks nobody out
            assert _db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
            assert _db.session.scalars(select(AuditEvent)).one().details["reason"] == (
                "provider-unavailable")
    finally:
        close_app(app)
