from argon2 import PasswordHasher
from helpers import PASSWORD, csrf_token, sign_in
from sqlalchemy import select, update

from elearn.auth import services
from elearn.auth.passwords import needs_rehash, verify_password
from elearn.models import AuditEvent, LoginFailure, Person, Role, utcnow


def test_sign_in_with_the_right_password_goes_home(client, make_person):
    person = make_person(Role.STAFF)
    response = sign_in(client, person.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert person.name in client.get("/").get_data(as_text=True)


def test_email_is_matched_whatever_its_case(client, make_person):
    make_person(Role.STAFF, email="ann.lee@example.org")
    assert sign_in(client, "Ann.Lee@Example.org").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_person):
    person = make_person(Role.STAFF)
    wrong = sign_in(client, person.email, "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@example.org", "not the password").get_data(as_text=True)
    message = "The email address or password is not right."
    assert message in wrong and message in unknown
    assert client.get("/").status_code == 302  # still signed out


def test_an_account_is_throttled_from_the_guessing_address_even_with_the_right_password(
        app, client, make_person, db):
    person = make_person(Role.STAFF)
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_PAIR"] + 1):
        sign_in(client, person.email, "wrong password here")
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_address_is_throttled_across_accounts(app, client, make_person):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    person = make_person(Role.STAFF)
    for n in range(4):  # three free, then a wait
        sign_in(client, f"guess{n}@example.org", "wrong password here")
    assert sign_in(client, person.email, PASSWORD).status_code == 429


def test_throttling_counts_are_kept_in_the_database(client, make_person, db):
    sign_in(client, "someone@example.org", "wrong password here")
    assert db.session.query(LoginFailure).filter_by(account="someone@example.org").count() == 1


def test_successful_sign_in_clears_the_account_failures(client, make_person, db):
    person = make_person(Role.STAFF)
    sign_in(client, person.email, "wrong password here")
    sign_in(client, person.email)
    assert db.session.query(LoginFailure).filter_by(account=person.email).count() == 0


def test_deactivated_person_cannot_sign_in(client, make_person, db):
    person = make_person(Role.STAFF)
    person.active = False
    db.session.commit()
    assert sign_in(client, person.email).status_code == 200
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused_and_signs_nobody_in(client, make_person):
    person = make_person(Role.STAFF)
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_path_on_this_site_is_followed(client, make_person):
    person = make_person(Role.STAFF)
    response = sign_in(client, person.email, next="/policy")
    assert response.headers["Location"] == "/policy"


def test_next_to_another_site_is_refused(client, make_person):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example",
                   "javascript:alert(1)", "http:/evil.example"):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        person = make_person(Role.STAFF)
        with client.session_transaction() as s:
            s.clear()
        response = sign_in(client, person.email, next=target)
        assert response.headers["Location"] == "/", target


def test_sign_out_ends_every_session_of_the_person(app, make_person):
    person = make_person(Role.STAFF)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, person.email)
    sign_in(phone, person.email)
    assert phone.get("/").status_code == 200
    page = laptop.get("/")
    laptop.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302


def test_session_id_is_renewed_at_sign_in(client, make_person):
    person = make_person(Role.STAFF)
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    sign_in(client, person.email)
    with client.session_transaction() as s:
        assert "planted" not in s


def test_pages_need_sign_in(client):
    response = client.get("/policy")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]


def test_remember_me_cookie_lasts_at_most_30_days(app, client, make_person):
    person = make_person(Role.STAFF)
    response = sign_in(client, person.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith(app.config["REMEMBER_COOKIE_NAME"]))
    assert "HttpOnly" in remember
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 30 * 24 * 3600


def test_session_ends_after_the_idle_time_but_not_while_in_use(app, client, make_person,
                                                                monkeypatch):
    import time

    person = make_person(Role.STAFF)
    sign_in(client, person.email)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + idle - 60)
    assert client.get("/").status_code == 200  # used within the idle time: renewed
    monkeypatch.setattr(time, "time", lambda: real_time() + 2 * idle - 60)
    assert client.get("/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: real_time() + 3 * idle + 60)
    assert client.get("/").status_code == 302


def _remembered_client(app, client, make_person):
    """A browser left with only the remember-me cookie (the session cookie is gone)."""
    person = make_person(Role.STAFF)
    sign_in(client, person.email, remember="y")
    name = app.config["REMEMBER_COOKIE_NAME"]
    value = client.get_cookie(name).value
    browser = app.test_client()
    browser.set_cookie(name, value)  # kept by the browser whatever expiry it was given
    return browser


def test_remember_me_restores_a_session_within_30_days(app, client, make_person, monkeypatch):
    import time

    browser = _remembered_client(app, client, make_person)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 29 * 24 * 3600)
    assert browser.get("/").status_code == 200


def test_remember_me_is_refused_by_the_server_after_30_days(app, client, make_person,
                                                             monkeypatch):
    import time

    browser = _remembered_client(app, client, make_person)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 24 * 3600)
    response = browser.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sign_in_records_the_time_and_an_audit_entry(client, make_person, db):
    person = make_person(Role.STAFF)
    before = utcnow()
    sign_in(client, person.email)
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert stored.last_sign_in_at is not None and stored.last_sign_in_at >= before
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "sign-in", AuditEvent.subject == f"person:{person.id}"))


def test_a_password_stored_with_weaker_settings_is_hashed_again_at_sign_in(
        client, make_person, db):
    person = make_person(Role.STAFF)
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    person.password_hash = weaker
    db.session.commit()
    sign_in(client, person.email)
    db.session.expire_all()
    stored = db.session.get(Person, person.id).password_hash
    assert stored != weaker and not needs_rehash(stored)
    assert verify_password(stored, PASSWORD)


def test_a_password_reset_during_the_sign_in_check_is_not_undone_by_the_rehash(
        app, make_person, db, monkeypatch):
    person = make_person(Role.STAFF)
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    person.password_hash = weaker
    person_id, email = person.id, person.email
    db.session.commit()  # the test holds no transaction while the request runs
    reset_to = PasswordHasher().hash("a brand new passphrase")
    checked = services.verify_password

    def check_while_the_password_is_reset(stored, password):
        # Another request resets the password while this sign-in checks the old one.
        with db.engine.begin() as other:
            other.execute(update(Person).where(Person.id == person_id)
                          .values(password_hash=reset_to))
        return checked(stored, password)

    monkeypatch.setattr(services, "verify_password", check_while_the_password_is_reset)
    sign_in(app.test_client(), email)
    db.session.expire_all()
    assert db.session.get(Person, person_id).password_hash == reset_to
