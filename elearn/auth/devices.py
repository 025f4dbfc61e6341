"""Browsers that have signed in to an account before: a signed cookie (a device cookie)
lets such a browser count as its own origin for sign-in throttling, so that failures from
its network address (a school's shared address under attack) do not stop it. Failures it
makes itself are counted and delayed like any other origin's, so a stolen cookie buys no
extra guesses. The cookie holds a random id and a digest of the account, never the address.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_DAYS = 180


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="elearn-device")


def _account_digest(account: str) -> str:
    return hashlib.sha256(account.encode()).hexdigest()[:32]


def _cookie_name() -> str:
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    return "__Host-elearn_device" if secure else "elearn_device"


def origin(account: str, address: str) -> str:
    """This browser, if it signed in to `account` before; otherwise the network address."""
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return address
    try:
        claim = _serializer().loads(raw, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return address
    if isinstance(claim, dict) and claim.get("a") == _account_digest(account) \
            and isinstance(claim.get("d"), str):
        return f"device:{claim['d']}"
    return address


def remember_device(response: Response, account: str) -> None:
    """After a successful sign-in: this browser is known for this account from now on."""
    value = _serializer().dumps({"a": _account_digest(account), "d": secrets.token_urlsafe(12)})
    response.set_cookie(_cookie_name(), value, max_age=DEVICE_DAYS * 24 * 3600, path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                        samesite="Lax")
