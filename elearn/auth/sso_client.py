"""The OpenID Connect client side, on Authlib's Flask client: discovery, the authorization code
flow with PKCE (S256), `state` and `nonce` kept in the session, and the ID token's signature
(against the provider's JWKS) and claims (iss, aud, exp, nonce) checked. Each failure becomes
an SsoRefused with the reason the refusal page explains."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
)
from requests import RequestException

from elearn.auth.sso import CLOCK_LEEWAY, Provider, Refusal, SsoRefused, providers

EXTENSION = "elearn_sso"


def init_app(app: Flask) -> None:
    """Register each configured provider with Authlib (discovery is fetched on first use)."""
    oauth = OAuth(app)
    for provider in providers(app.config).values():
        oauth.register(
            provider.name, client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                           "default_timeout": 10})
    app.extensions[EXTENSION] = oauth


def _client(provider: Provider):
    return current_app.extensions[EXTENSION].create_client(provider.name)


def authorization_redirect(provider: Provider, redirect_uri: str):
    """The redirect to the provider; state, nonce and the PKCE verifier go in the session."""
    try:
        return _client(provider).authorize_redirect(redirect_uri)
    except (RequestException, ValueError, KeyError) as exc:
        raise SsoRefused(Refusal.UNAVAILABLE) from exc


def _claims_options(provider: Provider) -> dict:
    # Authlib checks the issuer by default but not the audience: ask for both.
    return {"iss": {"essential": True, "values": [provider.issuer]},
            "aud": {"essential": True, "values": [provider.client_id]},
            "exp": {"essential": True}}


def _refusal_for(exc: Exception) -> Refusal:
    if isinstance(exc, MismatchingStateError):
        return Refusal.STATE
    if isinstance(exc, ExpiredTokenError):
        return Refusal.EXPIRED
    if isinstance(exc, InvalidClaimError) and exc.claim == "nonce":
        return Refusal.NONCE
    if isinstance(exc, OAuthError) and exc.error not in ("invalid_grant", "invalid_client"):
        return Refusal.CANCELLED  # e.g. the person pressed Cancel at the provider
    if isinstance(exc, RequestException):
        return Refusal.UNAVAILABLE
    return Refusal.TOKEN


def verified_claims(provider: Provider) -> dict[str, Any]:
    """The ID token's claims for this callback request, checked, or SsoRefused."""
    try:
        token = _client(provider).authorize_access_token(
            claims_options=_claims_options(provider), leeway=int(CLOCK_LEEWAY.total_seconds()))
    except (OAuthError, JoseError, ClaimError, BadSignatureError, RequestException,
            ValueError) as exc:
        raise SsoRefused(_refusal_for(exc)) from exc
    claims = token.get("userinfo")
    if not claims:  # no ID token at all: nothing vouches for anyone
        raise SsoRefused(Refusal.TOKEN)
    return dict(claims)
