"""Sign-in throttling that slows a guesser without shutting the owner out (issue 18).

Failures are counted per account-and-address pair and per address; a browser that has
signed in to an account before is trusted for that account; a completed reset or
invitation forgives the account's failures."""

from datetime import timedelta

from helpers import PASSWORD, csrf_token

from elearn.auth import throttle
from elearn.auth.invitations import LinkSettings, password_link
from elearn.auth.tokens import INVITE, RESET
from elearn.models import LoginFailure, Role

ATTACKER, OWNER, SCHOOL = "203.0.113.66", "198.51.100.7", "192.0.2.10"


def _sign_in(client, email, password, address):
    page = client.get("/sign-in", environ_base={"REMOTE_ADDR": address})
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_the_owner_signs_in_from_their_address_while_another_address_guesses(app,
                                                                             make_person):
    person = make_person(Role.STAFF)
    attacker = app.test_client()
    for _ in range(15):
        _sign_in(attacker, person.email, "a wrong guess", ATTACKER)
    assert _sign_in(attacker, person.email, PASSWORD, ATTACKER).status_code == 429
    assert _sign_in(app.test_client(), person.email, PASSWORD, OWNER).status_code == 302


def test_failures_from_a_shared_address_do_not_stop_a_browser_that_signed_in_before(
        app, make_person):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    teacher = make_person(Role.STAFF)
    laptop = app.test_client()
    assert _sign_in(laptop, teacher.email, PASSWORD, SCHOOL).status_code == 302
    laptop.post("/sign-out", data={"csrf_token": csrf_token(laptop.get("/"))})
    pupil = app.test_client()
    for n in range(5):
        _sign_in(pupil, f"guess{n}@example.org", "a wrong guess", SCHOOL)
    assert _sign_in(pupil, teacher.email, PASSWORD, SCHOOL).status_code == 429  # unknown
    assert _sign_in(laptop, teacher.email, PASSWORD, SCHOOL).status_code == 302


def test_the_wait_grows_with_each_failure_and_is_capped():
    waits = [throttle.wait_after(n, free=5, first=timedelta(minutes=1),
                                 longest=timedelta(hours=1)) for n in range(4, 14)]
    assert waits[:2] == [timedelta(0), timedelta(0)]  # 4 and 5 failures: no wait yet
    assert waits[2:5] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-1] == timedelta(hours=1)
    assert waits == sorted(waits)


def _set_password(app, person, purpose):
    with app.test_request_context():
        path = password_link(LinkSettings.from_config(app.config), person, purpose
                             ).removeprefix(app.config["BASE_URL"])
    client = app.test_client()
    page = client.get(path)
    return client.post(path, data={"password": "a brand new passphrase",
                                   "confirm": "a brand new passphrase",
                                   "csrf_token": csrf_token(page)})


def test_a_completed_reset_forgives_the_accounts_failures(app, db, make_person):
    person = make_person(Role.STAFF)
    for _ in range(8):
        _sign_in(app.test_client(), person.email, "a wrong guess", ATTACKER)
    assert _set_password(app, person, RESET).status_code == 302
    assert db.session.query(LoginFailure).filter_by(account=person.email).count() == 0
    again = _sign_in(app.test_client(), person.email, "a brand new passphrase", ATTACKER)
    assert again.status_code == 302


def test_an_accepted_invitation_forgives_the_accounts_failures(app, db, make_person):
    person = make_person(Role.STAFF, password_hash=None)
    for _ in range(3):
        _sign_in(app.test_client(), person.email, "a wrong guess", ATTACKER)
    assert _set_password(app, person, INVITE).status_code == 302
    assert db.session.query(LoginFailure).filter_by(account=person.email).count() == 0
