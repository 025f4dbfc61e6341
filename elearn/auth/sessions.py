"""Who is signed in: the person behind a session's token, within the longest a session may
last.

The id Flask-Login keeps (in the session and in the remember-me cookie, both signed) is the
person's session token stamped with the time of sign-in. The cookie's own expiry is only the
browser's promise; the stamp makes 30 days (REMEMBER_COOKIE_DURATION) the server's rule: an
older id is refused whatever the browser kept, remembered or not.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from flask import current_app, g
from flask import session as cookie_session
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_required
from itsdangerous import BadSignature

from elearn.auth.signed_in import person_from_rows, signed_in_person_select
from elearn.current import keep_cycle_in_force
from elearn.cycles.rules import cycle_in_force_from
from elearn.extensions import db, login_manager
from elearn.hot_statements import HotStatement
from elearn.models import SignedInPerson

# Every signed-in request runs this query, unless the page reads the person in its own
# statement (read_with_signed_in_person): built once, since building a statement costs more
# than running it. A statement on the tables, giving plain rows, sent straight to the
# driver: the ORM's objects, and even Core's execution, cost more than the query takes.
_PERSON_BY_SESSION_TOKEN = HotStatement(signed_in_person_select())


# login_user() asks the person for this id: their token stamped with the time.
login_manager.id_attribute = "stamped_session_id"


def _session_token_of(session_id: str | None) -> str | None:
    """The token in a signed-in id, if the id is stamped and within the longest a session
    may last; else None (sign in again)."""
    if not session_id:
        return None
    session_token, _, stamp = session_id.rpartition(".")
    if not session_token or not stamp.isdigit():
        return None  # an id from before sessions were stamped
    if time.time() - int(stamp) > current_app.config["REMEMBER_COOKIE_DURATION"]:
        return None
    return session_token


def _signed_in_session_token() -> str | None:
    """The session token of the person this request's session says is signed in, without
    reading the database; None if it names no one (a remember-me cookie may still)."""
    return _session_token_of(cookie_session.get("_user_id"))  # where Flask-Login keeps the id


_UNREAD = object()
_T = TypeVar("_T")


def read_with_signed_in_person(name: str,
                               read: Callable[[str], tuple[Sequence[Sequence], object]]) -> None:
    """Read what a page shows in the signed-in person's statement: `read(session_token)`
    gives the person's rows (a signed_in_person_select()'s) and the rest. The rows go to
    Flask-Login's loader, a round trip less; the rest is kept for `kept_or_read(name, ...)`.
    Nothing is read if the session names no one (a remember-me cookie may still: the loader
    reads them, and the page what it shows)."""
    session_token = _signed_in_session_token()
    if session_token is None:
        return
    person_rows, rest = read(session_token)
    # For Flask-Login's loader, which then sends no query; it still decides, as ever,
    # whether anyone is signed in.
    g._signed_in_person_rows = (session_token, person_rows)
    if person_rows:  # else whoever is signed in (a remember-me cookie) reads it again
        g.setdefault("_read_with_signed_in_person", {})[name] = rest


def kept_or_read(name: str, read_now: Callable[[], _T]) -> _T:
    """What `read_with_signed_in_person` read as `name` in this request (once: a second
    call reads it again), else `read_now()`."""
    kept = g.get("_read_with_signed_in_person", {}).pop(name, _UNREAD)
    return read_now() if kept is _UNREAD else kept


def login_required_reading(name: str, read: Callable[..., tuple[Sequence[Sequence], object]]
                           ) -> Callable[[Callable], Callable]:
    """login_required, for a page that reads `name` in the signed-in person's statement with
    `read(session_token, **the view's arguments)`. Flask-Login still decides who is signed
    in; the page, what they may see."""
    def decorate(view: Callable) -> Callable:
        guarded = login_required(view)

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            read_with_signed_in_person(name, lambda token: read(token, **kwargs))
            return guarded(*args, **kwargs)

        return wrapped

    return decorate


@login_manager.user_loader
def _load_person(session_id: str) -> SignedInPerson | None:
    session_token = _session_token_of(session_id)
    if session_token is None:
        return None
    preloaded = g.pop("_signed_in_person_rows", None)
    if preloaded is not None and preloaded[0] == session_token:
        rows = preloaded[1]
    else:
        rows = _PERSON_BY_SESSION_TOKEN.rows(db.session, {"session_token": session_token})
    if rows:
        keep_cycle_in_force(cycle_in_force_from(rows[0]))
    return person_from_rows(rows, session_token)


class IdleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, renewed at most once a minute.

    A permanent session expires after SESSION_IDLE_MINUTES without use: the cookie's
    signature carries the time it was signed, and Flask signs it again on every response to
    move that time on. Signing (JSON, zlib, HMAC) and sending a new cookie on every request
    was 7% of a question page's time; a minute's slack on an idle limit counted in hours
    changes nothing a person could notice.
    """

    renew_after = timedelta(minutes=1)
    # Cookies already verified, with what they hold: a browser sends the same cookie on
    # every request until it is renewed, and checking its signature again (HMAC, zlib,
    # JSON) was a tenth of a question page. The key is the whole signed cookie, so only a
    # cookie this server signed can be found; its age is still checked on every request.
    remembered_cookies = 4096

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}
        self._verified: dict[tuple, tuple[dict, datetime]] = {}

    @staticmethod
    def _keys(app) -> tuple:
        return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per secret key rather than on every request."""
        keys = self._keys(app)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        lifetime = app.permanent_session_lifetime
        # With the keys it was verified with: a key retired while the app runs retires
        # the cookies it signed.
        key = (self._keys(app), value)
        verified = self._verified.get(key)
        if verified is None:
            try:
                verified = serializer.loads(value, max_age=int(lifetime.total_seconds()),
                                            return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(self._verified) >= self.remembered_cookies:
                self._verified.clear()
            self._verified[key] = verified
        data, signed_at = verified
        if int(time.time()) - signed_at.timestamp() > lifetime.total_seconds():  # as itsdangerous
            return self.session_class()
        if any(isinstance(held, (list, dict)) for held in data.values()):
            data = copy.deepcopy(data)  # flash() appends to its list in place
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at >= self.renew_after
