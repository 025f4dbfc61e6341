from helpers import csrf_token

from elearn.auth.invitations import LinkSettings, password_link
from elearn.auth.tokens import INVITE, RESET, make_token
from elearn.models import Role

NEW = "a brand new passphrase"


def _link(app, person, purpose: str) -> str:
    """The path of the link the person would be emailed."""
    return password_link(LinkSettings.from_config(app.config), person, purpose).removeprefix(
        app.config["BASE_URL"])


def _set(client, url, password=NEW, confirm=None):
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(url, data={"password": password, "confirm": confirm or password,
                                  "csrf_token": csrf_token(page)})


def test_invitation_sets_the_first_password_and_signs_in(app, client, make_person):
    person = make_person(Role.STAFF, password_hash=None)
    with app.test_request_context():
        url = _link(app, person, INVITE)
    response = _set(client, url)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_invitation_link_works_only_once(app, client, make_person):
    person = make_person(Role.STAFF, password_hash=None)
    with app.test_request_context():
        url = _link(app, person, INVITE)
    _set(client, url)
    again = app.test_client().get(url)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_expired_invitation_is_refused(app, client, make_person):
    person = make_person(Role.STAFF, password_hash=None)
    with app.test_request_context():
        url = _link(app, person, INVITE)
    app.config["INVITATION_DAYS"] = -1
    response = client.get(url)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_tampered_link_is_refused(app, client, make_person):
    person = make_person(Role.STAFF, password_hash=None)
    token = make_token(app.config["SECRET_KEY"], INVITE, person.id, None, person.session_token)
    forged = make_token("another-secret-" * 3, INVITE, person.id, None, person.session_token)
    assert client.get(f"/invitation/{forged}").status_code == 400
    assert client.get(f"/invitation/{token}x").status_code == 400
    assert client.get(f"/invitation/{token}").status_code == 200


def test_reset_link_refuses_a_common_password_and_keeps_the_old_one(app, client, make_person):
    person = make_person(Role.STAFF)
    old_hash = person.password_hash
    with app.test_request_context():
        url = _link(app, person, RESET)
    response = _set(client, url, password="password123")
    assert response.status_code == 200 and "too common" in response.get_data(as_text=True)
    assert person.password_hash == old_hash


def test_reset_ends_other_sessions_and_spends_the_link(app, make_person):
    person = make_person(Role.STAFF)
    from helpers import sign_in
    other = app.test_client()
    sign_in(other, person.email)
    with app.test_request_context():
        url = _link(app, person, RESET)
    assert _set(app.test_client(), url).status_code == 302
    assert other.get("/").status_code == 302
    assert app.test_client().get(url).status_code == 400


def test_reset_request_answers_the_same_for_unknown_addresses(client, make_person, caplog):
    person = make_person(Role.STAFF)
    page = client.get("/reset-password")
    known = client.post("/reset-password", data={"email": person.email,
                                                 "csrf_token": csrf_token(page)})
    unknown = client.post("/reset-password", data={"email": "nobody@example.org",
                                                   "csrf_token": csrf_token(page)})
    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.get_data(as_text=True)
    assert "Check your email" in unknown.get_data(as_text=True)


def _ask_reset(client, email, address="192.0.2.1"):
    page = client.get("/reset-password", environ_base={"REMOTE_ADDR": address})
    return client.post("/reset-password", data={"email": email, "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_reset_requests_from_one_address_are_limited(app, client):
    limit = app.config.get("RESET_REQUESTS_PER_ADDRESS", 10)
    for n in range(limit):
        assert _ask_reset(client, f"someone{n}@example.org").status_code == 200
    refused = _ask_reset(client, "one.more@example.org")
    assert refused.status_code == 429
    assert _ask_reset(client, "one.more@example.org", "192.0.2.2").status_code == 200


def test_reset_emails_to_one_account_are_limited_whoever_asks(app, make_person, mail_server):
    person = make_person(Role.STAFF)
    for n in range(6):
        response = _ask_reset(app.test_client(), person.email, f"192.0.2.{n + 1}")
        assert response.status_code == 200 and "Check your email" in response.get_data(
            as_text=True)
        response.close()
    assert len(mail_server.to(person.email)) == app.config.get("RESET_EMAILS_PER_ACCOUNT", 3) < 6


def test_the_reset_email_is_sent_after_the_answer_so_known_and_unknown_cost_the_same(
        app, make_person, mail_server):
    person = make_person(Role.STAFF)
    response = _ask_reset(app.test_client(), person.email)
    assert response.status_code == 200 and mail_server.to(person.email) == []
    response.close()  # the server has sent the whole answer
    assert len(mail_server.to(person.email)) == 1
