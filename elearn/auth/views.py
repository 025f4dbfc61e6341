"""Sign-in, sign-out, invitations and password reset."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from elearn.auth import devices, reset_requests, services
from elearn.auth.forms import ResetRequestForm, SetPasswordForm, SignInForm
from elearn.auth.sso import providers
from elearn.auth.throttle import Limits
from elearn.auth.tokens import INVITE, RESET, TokenError
from elearn.current import audit
from elearn.extensions import db
from elearn.models import Person, utcnow

bp = Blueprint("auth", __name__, template_folder="templates")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' tricks, and no
    control characters (a line break in a Location header would split the response)."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _address() -> str:
    return request.remote_addr or "unknown"


def _signed_in(person: Person, account: str, form: SignInForm):
    """Record the sign-in, start a fresh session for the person, and send them on."""
    audit("sign-in", f"person:{person.id}", actor_id=person.id)
    # Written, then set aside during the commit: the commit would expire the person, and
    # login_user() below would read them all again. Back in the session after, unexpired.
    db.session.flush()
    db.session.expunge(person)
    db.session.commit()
    db.session.add(person)
    session.clear()  # a fresh session at sign-in: nothing carried over
    # Permanent + refreshed on each request: the session ends after SESSION_IDLE_MINUTES
    # without a request, not at a fixed time after sign-in.
    session.permanent = True
    login_user(person, remember=form.remember.data)
    response = redirect(safe_next(form.next.data) or url_for("learner.home"))
    devices.remember_device(response, account)
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("learner.home"))
    form = SignInForm(next=request.args.get("next", ""))
    error = None
    status = 200
    if form.validate_on_submit():
        account = form.email.data.strip().lower()
        try:
            person = services.authenticate(db.session, account, form.password.data,
                                           devices.origin(account, _address()), utcnow(),
                                           Limits.from_config(current_app.config),
                                           current_app.config)
        except services.ThrottledError as exc:
            audit("sign-in-throttled", f"account:{account[:180]}")
            db.session.commit()
            error, status = str(exc), 429
        except services.SignInError as exc:
            audit("sign-in-failed", f"account:{account[:180]}")
            db.session.commit()  # the failure is counted even though sign-in failed
            error, status = str(exc), 200
        else:
            return _signed_in(person, account, form)
    elif request.method == "POST":
        status = 200
    return render_template("auth/sign_in.html", form=form, error=error,
                           sso_providers=providers(current_app.config).values(),
                           admins_only=current_app.config["PASSWORD_SIGN_IN"] == "admins"), status


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        person = db.session.get(Person, current_user.id)
        person.end_all_sessions()
        audit("sign-out", f"person:{person.id}")
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))


def _set_password_page(purpose: str, token: str, max_age: int, template: str):
    try:
        person = services.person_for_token(db.session, current_app.config["SECRET_KEY"],
                                           purpose, token, max_age)
    except TokenError as exc:
        return render_template("auth/link_problem.html", reason=str(exc)), 400
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_password(db.session, person, form.password.data, token)
        except ValueError as exc:
            error = str(exc)
            form.password.errors = [error]
        else:
            audit("password-set", f"person:{person.id}", actor_id=person.id, via=purpose)
            db.session.commit()
            logout_user()
            session.clear()
            session.permanent = True
            login_user(person)
            flash("Your password is set. Welcome to elearn.", "success")
            return redirect(url_for("learner.home"))
    return render_template(template, form=form, person=person, error=error)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    max_age = current_app.config["INVITATION_DAYS"] * 24 * 3600
    return _set_password_page(INVITE, token, max_age, "auth/invitation.html")


@bp.route("/reset-password", methods=["GET", "POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            send = reset_requests.request_reset(db.session, form.email.data, _address(),
                                                utcnow(), current_app.config)
        except reset_requests.TooManyRequests:
            db.session.commit()
            abort(429)
        db.session.commit()
        # The same answer whether or not the address is known: nothing to probe. The email
        # goes once the answer has been sent, so its cost is not in the answer's time.
        response = make_response(render_template("auth/reset_sent.html", email=form.email.data))
        if send is not None:
            response.call_on_close(send)
        return response
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    max_age = current_app.config["RESET_MINUTES"] * 60
    return _set_password_page(RESET, token, max_age, "auth/reset.html")
