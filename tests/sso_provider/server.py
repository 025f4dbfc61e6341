"""A real OpenID Connect provider for the tests, built on Authlib's server side.

It shares no code with elearn: Authlib's AuthorizationServer runs the authorization code
grant with its OpenID Connect (`OpenIDCode`, nonce required) and PKCE (`CodeChallenge`)
extensions; ID tokens are signed with an RSA key generated at start-up and published at
the JWKS endpoint named in the discovery document.

Run as its own process: `python tests/sso_provider/server.py CLIENT_ID CLIENT_SECRET`.
It listens on a free port of 127.0.0.1 and prints `listening on http://127.0.0.1:PORT`.

Test-only controls (never in a real provider), POST /control with JSON:
- "user": the claims of whoever "signs in" next (email, email_verified, tid, hd, ...);
  /authorize approves at once as that user, as a provider would after its own sign-in page.
- "redirect_uris": the client's registered redirect URIs.
- "next_token": "expired", "tampered" or "wrong-nonce" spoils the next ID token only.
GET /control returns the last authorization request's parameters (to check PKCE and nonce).
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import sys
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"},
                          private=True)
STATE: dict = {"user": None, "redirect_uris": [], "next_token": None, "last_authorize": {}}
CODES: dict[str, dict] = {}


class Client:
    """The one registered client (elearn)."""

    def __init__(self, client_id: str, client_secret: str):
        self.client_id = client_id
        self.client_secret = client_secret

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return STATE["redirect_uris"][0] if STATE["redirect_uris"] else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in STATE["redirect_uris"]

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code(dict):
    """An authorization code's record, as Authlib's grants read it."""

    def get_redirect_uri(self):
        return self["redirect_uri"]

    def get_scope(self):
        return self["scope"]

    def get_nonce(self):
        return self.get("nonce")

    def get_auth_time(self):
        return self["auth_time"]

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    @property
    def code_challenge(self):
        return self.get("code_challenge")

    @property
    def code_challenge_method(self):
        return self.get("code_challenge_method")


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        CODES[code] = Code(redirect_uri=request.payload.redirect_uri,
                           scope=request.payload.scope, nonce=data.get("nonce"),
                           code_challenge=data.get("code_challenge"),
                           code_challenge_method=data.get("code_challenge_method"),
                           user=request.user, auth_time=int(time.time()),
                           client_id=request.client.client_id)

    def query_authorization_code(self, code, client):
        found = CODES.get(code)
        return found if found and found["client_id"] == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        for code, value in list(CODES.items()):
            if value is authorization_code:
                del CODES[code]

    def authenticate_user(self, authorization_code):
        return authorization_code["user"]


class IdToken(OpenIDCode):
    def __init__(self, issuer: str):
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def resolve_client_private_key(self, client):
        return KEY

    def get_client_algorithm(self, client):
        return "RS256"

    def get_client_claims(self, client):
        return {"iss": self.issuer, "aud": [client.get_client_id()]}

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": KEY.kid}

    def exists_nonce(self, nonce, request):
        return any(code.get("nonce") == nonce for code in CODES.values())

    def generate_user_info(self, user, scope):
        return dict(user)


def spoil(id_token: str, how: str) -> str:
    """The test knob: an expired token or one with a wrong nonce (both properly signed), or
    one whose payload was changed after signing (its signature no longer matches)."""
    claims = jwt.decode(id_token, KEY).claims
    if how == "expired":
        claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
    elif how == "wrong-nonce":
        claims["nonce"] = "not-the-nonce-that-was-sent"
    elif how == "tampered":
        header, _, signature = id_token.split(".")
        claims["email"] = "someone.else@example.org"
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{payload}.{signature}"
    return jwt.encode({"alg": "RS256", "kid": KEY.kid}, claims, KEY)


def create_provider(client_id: str, client_secret: str, issuer: str) -> Flask:
    app = Flask("sso_provider")
    client = Client(client_id, client_secret)
    server = AuthorizationServer(app, query_client=lambda cid: client if cid == client_id
                                 else None, save_token=lambda token, request: None)
    server.register_grant(CodeGrant, [IdToken(issuer), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=issuer, authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token", jwks_uri=f"{issuer}/jwks",
            response_types_supported=["code"], subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"])

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[KEY.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        STATE["last_authorize"] = request.args.to_dict()
        return server.create_authorization_response(grant_user=STATE["user"])

    @app.post("/token")
    def token():
        response = server.create_token_response()
        how, STATE["next_token"] = STATE["next_token"], None
        if how and response.status_code == 200:
            body = response.get_json()
            body["id_token"] = spoil(body["id_token"], how)
            response.set_data(json.dumps(body))
        return response

    @app.route("/control", methods=["GET", "POST"])
    def control():
        if request.method == "POST":
            STATE.update(request.get_json())
        return jsonify(last_authorize=STATE["last_authorize"])

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


def main(client_id: str, client_secret: str) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, None, threaded=True, request_handler=_QuietHandler)
    issuer = f"http://127.0.0.1:{server.server_port}"
    server.app = create_provider(client_id, client_secret, issuer)
    print(f"listening on {issuer}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
