"""Request-level glue shared by every blueprint: content access, user loading, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, Response, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from elearn.audit import record as audit_record
from elearn.certification.codes import display as display_code
from elearn.certification.render import CertificateRenderer
from elearn.certification.signing import CertificateSigner, SigningIdentityError
from elearn.content import Content
from elearn.content.model import Track
from elearn.cycles import long_date
from elearn.extensions import db, login_manager
from elearn.models import ROLE_LABELS, Person, Role
from elearn.people import people_count


def content() -> Content:
    return current_app.extensions["elearn_content"]


def audit(action: str, subject: str | None = None, actor_id: int | None = None,
          **details) -> None:
    """Add an event for the current request to the audit trail (committed with the change)."""
    if actor_id is None and current_user.is_authenticated:
        actor_id = current_user.id
    audit_record(db.session, action, actor_id=actor_id, address=request.remote_addr,
                 subject=subject, **details)


def signer() -> CertificateSigner:
    """The Trust's signing identity, loaded on first use."""
    if "elearn_signer" not in current_app.extensions:
        config = current_app.config
        try:
            current_app.extensions["elearn_signer"] = CertificateSigner(
                config["SIGNING_P12"], config["SIGNING_PASSWORD"], config["SIGNING_LOCATION"])
        except SigningIdentityError as exc:
            raise SigningIdentityError(
                f"{exc}. Set ELEARN_SIGNING_P12 and ELEARN_SIGNING_PASSWORD; for development, "
                "make one with `flask --app wsgi certificates dev-identity`.") from exc
    return current_app.extensions["elearn_signer"]


def renderer() -> CertificateRenderer:
    """The app's one certificate renderer, built on first use (fonts, template, design hash);
    every certificate it renders is signed."""
    if "elearn_certificates" not in current_app.extensions:
        current_app.extensions["elearn_certificates"] = CertificateRenderer(
            current_app.config["CERTIFICATE_DIR"], signer(),
            current_app.config["SIGNATORY_NAME"], current_app.config["SIGNATORY_ROLE"])
    return current_app.extensions["elearn_certificates"]


def send_pdf(data: bytes | Callable[[], bytes], filename: str, etag: str) -> Response:
    """Serve a stored, immutable PDF as a download, revalidated by its ETag.

    `etag` must identify the bytes (the stored SHA-256 does). A browser that already holds
    them gets 304 with no body; `data` may then be a function, called only when the bytes
    are really sent, so a revalidation never reads the file from the database.
    "private": shared caches must not keep a personal certificate; max-age=0 with
    must-revalidate: every use still passes the access check.
    """
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(data() if callable(data) else data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(etag)
    return response


# Every signed-in request runs this query: built once, since building a statement costs
# more than running it (about 0.5 ms on SQLite). Roles are joined, not a second SELECT.
_PERSON_BY_SESSION_TOKEN = (
    select(Person).options(joinedload(Person.role_rows))
    .where(Person.session_token == bindparam("session_token"), Person.active.is_(True))
)


@login_manager.user_loader
def _load_person(session_token: str) -> Person | None:
    return db.session.scalars(
        _PERSON_BY_SESSION_TOKEN, {"session_token": session_token}).unique().one_or_none()


def form_error_list(form) -> list[tuple[str, str]]:
    """(field id, message) pairs for the error summary, in the form's field order."""
    return [(f.id, message) for f in form for message in f.errors if f.type != "CSRFTokenField"]


def field_attrs(field, hint: str | None, autocomplete: str | None) -> dict[str, str]:
    """Attributes tying an input to its hint and error for screen readers."""
    described = [f"{field.id}-hint"] if hint else []
    described += [f"{field.id}-error"] if field.errors else []
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return attrs


# What a learner reads for each state of a unit: calm words, the same as the result page's.
STATE_LABELS = {
    "not started": "Not started",
    "in progress": "In progress",
    "passed": "Passed",
    "carried over": "Passed last cycle: carried over",
    "failed - retake": "Not passed yet: retake",
}


def _title_says_error() -> str:
    """Called by the error summary: the page's title will begin "Error:" (see init_app)."""
    g.page_has_error = True
    return ""


def my_tracks() -> tuple[Track, ...]:
    """The tracks the signed-in person must take (their roles decide)."""
    if not current_user.is_authenticated:
        return ()
    return content().tracks_for_roles({r.value for r in current_user.roles})


def has_my_training_page() -> bool:
    """HR officers with no track of their own have no "My training": / sends them to the
    completion overview, and the navigation leaves the link out."""
    return bool(my_tracks()) or not current_user.has_role(Role.HR)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["title_says_error"] = _title_says_error
    app.jinja_env.globals["has_my_training_page"] = has_my_training_page
    app.jinja_env.globals["STATE_LABELS"] = STATE_LABELS
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["people"] = people_count
    # "My data" holds ISO strings (the same values as its JSON download); people read dates.
    app.jinja_env.filters["long_iso_date"] = lambda iso: long_date(
        datetime.fromisoformat(iso)) if iso else ""
    app.jinja_env.filters["certificate_number"] = display_code
    app.jinja_env.globals["form_error_list"] = form_error_list
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def _globals() -> dict:
        return {"trust_name": app.config["TRUST_NAME"], "current_user": current_user}

    @app.after_request
    def _error_in_title(response):
        # The title is the first thing a screen reader announces on a new page; the error
        # summary is rendered after it, so the word is added once the page is complete.
        if g.get("page_has_error") and response.mimetype == "text/html":
            response.set_data(response.get_data().replace(b"<title>", b"<title>Error: ", 1))
        return response

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.get("/healthz")
    def healthz():
        """For load balancers and monitoring; also the benchmarks' hello-world baseline."""
        return Response("ok\n", mimetype="text/plain")

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_template("errors/csrf.html", reason=error.description), 400

    @app.errorhandler(404)
    def _not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(429)
    def _too_many(error):
        return render_template("errors/429.html"), 429
