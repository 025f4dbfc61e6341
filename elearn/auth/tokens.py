"""Signed, expiring, single-use links for invitations and password resets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITE = "invite"
RESET = "reset"


class TokenError(ValueError):
    """The link cannot be used; the message says why in the learner's words."""


@dataclass(frozen=True)
class TokenClaim:
    person_id: int
    purpose: str
    digest: str


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"elearn-{purpose}")


def _state(password_hash: str | None, session_token: str) -> str:
    # Binds the link to the account's current password state: once a password is set,
    # every earlier link stops working.
    return hashlib.sha256(f"{password_hash}|{session_token}".encode()).hexdigest()[:16]


def make_token(secret_key: str, purpose: str, person_id: int, password_hash: str | None,
               session_token: str) -> str:
    return _serializer(secret_key, purpose).dumps([person_id, _state(password_hash,
                                                                     session_token)])


def read_token(secret_key: str, purpose: str, token: str, max_age_seconds: int) -> TokenClaim:
    """Check signature and age; the caller then checks the state against the person."""
    try:
        person_id, state = _serializer(secret_key, purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenError("This link has expired. Ask for a new one.") from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise TokenError("This link is not valid. Check you copied all of it, or ask for "
                         "a new one.") from exc
    return TokenClaim(int(person_id), purpose, state)


def token_matches(claim: TokenClaim, password_hash: str | None, session_token: str) -> bool:
    return claim.digest == _state(password_hash, session_token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
