"""What every page's template shares: the CSRF field of the header's sign-out form, the globals."""

import re
import time
from itertools import count

import flask_wtf.csrf
import pytest
from helpers import sign_in
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

_SIGN_OUT_TOKEN = re.compile(
    r'action="/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"')


def _sign_out_token(client) -> str:
    return _SIGN_OUT_TOKEN.search(client.get("/").get_data(as_text=True)).group(1)


@pytest.fixture
def each_signing_dated_anew(monkeypatch):
    """From now on, signing a CSRF token again gives another one: each is dated a second
    earlier than the last (an hour back to begin with, clear of the real clock)."""
    seconds = count(int(time.time()) - 3600, -1)

    class DatedEachTime(TimestampSigner):
        def get_timestamp(self) -> int:
            return next(seconds)

    class Serializer(URLSafeTimedSerializer):
        default_signer = DatedEachTime

    return lambda: monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", Serializer)


def test_a_sessions_csrf_token_is_signed_once_and_is_accepted(signed_in, cycle,
                                                              each_signing_dated_anew):
    client, _ = signed_in()
    token = _sign_out_token(client)
    each_signing_dated_anew()
    assert _sign_out_token(client) == token  # the next page: the same signed token
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")


def test_tokens_that_expire_are_signed_on_every_page(app, signed_in, cycle,
                                                     each_signing_dated_anew):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600 * 24
    client, _ = signed_in()
    token = _sign_out_token(client)
    each_signing_dated_anew()
    assert _sign_out_token(client) != token


def test_a_sign_out_without_the_sessions_token_is_refused(signed_in, cycle):
    client, _ = signed_in()
    _sign_out_token(client)
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 400


def test_each_session_has_a_signed_token_of_its_own(app, signed_in, make_person, cycle):
    first, _ = signed_in()
    second = app.test_client()
    assert sign_in(second, make_person().email).status_code == 302
    assert _sign_out_token(first) != _sign_out_token(second)


def test_a_global_added_after_a_template_is_loaded_is_seen_on_its_next_render(app):
    template = app.jinja_env.from_string("{{ added_late | default('not yet') }}")
    assert template.render() == "not yet"
    app.jinja_env.globals["added_late"] = "seen"
    assert template.render() == "seen"


def test_a_template_with_globals_of_its_own_sees_them_and_the_apps(app):
    template = app.jinja_env.from_string("{{ own }} / {{ STATE_LABELS['passed'] }}",
                                         globals={"own": "its own"})
    assert template.render() == "its own / Passed"
