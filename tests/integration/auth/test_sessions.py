"""A session cookie verified once is trusted again only as it was signed, with the keys
that verified it, and only as long as its age allows."""

from __future__ import annotations

import time


def _open(app, cookie: str | None):
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def _signed(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_cookie_seen_before_gives_the_same_session(app):
    cookie = _signed(app, {"_user_id": "abc.1", "csrf_token": "t"})
    assert dict(_open(app, cookie)) == dict(_open(app, cookie)) == {"_user_id": "abc.1",
                                                                   "csrf_token": "t"}


def test_a_change_to_an_opened_session_is_not_kept_for_the_same_cookie(app):
    # flash() appends to the list it finds in the session, in place.
    cookie = _signed(app, {"_flashes": [("info", "Saved")]})
    _open(app, cookie)["_flashes"].append(("error", "Not mine"))
    assert _open(app, cookie)["_flashes"] == [("info", "Saved")]


def test_a_cookie_seen_before_still_expires(app, monkeypatch):
    cookie = _signed(app, {"_user_id": "abc.1"})
    assert _open(app, cookie)["_user_id"] == "abc.1"
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(_open(app, cookie)) == {}


def test_a_tampered_cookie_opens_an_empty_session(app):
    cookie = _signed(app, {"_user_id": "abc.1"})
    _open(app, cookie)
    assert dict(_open(app, cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))) == {}


def test_a_cookie_verified_before_a_key_is_retired_is_refused_after(app):
    cookie = _signed(app, {"_user_id": "abc.1"})
    assert _open(app, cookie)["_user_id"] == "abc.1"
    app.secret_key = app.config["SECRET_KEY"] = "a-new-secret-" + "y" * 40  # the old one gone
    assert dict(_open(app, cookie)) == {}
