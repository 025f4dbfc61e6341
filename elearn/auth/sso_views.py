"""Sign-in with the school's Microsoft 365 or Google Workspace account (OpenID Connect).

Two GET routes: the start, which sends the browser to the provider, and the callback the
provider sends it back to. The rules are in sso.py, the protocol in sso_client.py."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from elearn.audit import Actor
from elearn.auth import sso, sso_client
from elearn.auth.views import safe_next
from elearn.extensions import db
from elearn.models import utcnow

bp = Blueprint("sso", __name__, template_folder="templates")
bp.record_once(lambda state: sso_client.init_app(state.app))

NEXT_KEY = "sso_next"


def _provider(name: str) -> sso.Provider:
    provider = sso.providers(current_app.config).get(name)
    if provider is None:
        abort(404)
    return provider


def _actor() -> Actor:
    return Actor(None, request.remote_addr or "unknown")


def _refused(provider: sso.Provider, refusal: sso.SsoRefused):
    """Record the refusal (audit entry and throttling count only) and say why."""
    sso.record_refusal(db.session, _actor(), provider, refusal, utcnow())
    db.session.commit()
    why, ask = refusal.explain(provider.label)
    return render_template("auth/sso_refused.html", provider=provider, why=why,
                           ask=ask), refusal.status


@bp.get("/sign-in/sso/<name>")
def start(name: str):
    provider = _provider(name)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("learner.home"))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    redirect_uri = current_app.config["BASE_URL"] + provider.callback_path
    try:
        return sso_client.authorization_redirect(provider, redirect_uri)
    except sso.SsoRefused as refusal:
        return _refused(provider, refusal)


@bp.get("/sign-in/sso/<name>/callback")
def callback(name: str):
    provider = _provider(name)
    now, limits = utcnow(), current_app.config
    try:
        sso.check_address(db.session, _actor().address, now, limits)
        claims = sso_client.verified_claims(provider)
        person = sso.sign_in(db.session, _actor(), provider, claims, now, limits)
    except sso.SsoRefused as refusal:
        return _refused(provider, refusal)
    db.session.commit()
    next_page = session.get(NEXT_KEY)
    # The same session as a password sign-in: fresh, permanent (so it ends after the idle
    # limit), and keyed by the person's rotating session token.
    session.clear()
    session.permanent = True
    login_user(person)
    return redirect(next_page or url_for("learner.home"))
