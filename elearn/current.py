"""What every request can reach: the training content, the certificate renderer, the
signed-in person's tracks, and the audit trail for this request."""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask_login import current_user

from elearn.audit import record as audit_record
from elearn.certification.render import CertificateRenderer
from elearn.certification.signing import CertificateSigner, SigningIdentityError
from elearn.content import Content
from elearn.content.model import Track
from elearn.cycles.rules import current_cycle, cycle_in_force
from elearn.extensions import db
from elearn.models import CycleInForce, ReviewCycle, Role
from elearn.people.rules import tracks_of


def content() -> Content:
    return current_app.extensions["elearn_content"]


def audit(action: str, subject: str | None = None, actor_id: int | None = None,
          **details) -> None:
    """Add an event for the current request to the audit trail (committed with the change)."""
    if actor_id is None and current_user.is_authenticated:
        actor_id = current_user.id
    audit_record(db.session, action, actor_id=actor_id, address=request.remote_addr,
                 subject=subject, **details)


def current_cycle_or_404() -> ReviewCycle:
    """The review cycle in force; 404 before the Trust has recorded its first review."""
    return cycle_or_404(current_cycle(db.session))


def cycle_in_force_or_404() -> CycleInForce:
    """current_cycle_or_404() as plain values, for views that only read the cycle."""
    return cycle_or_404(cycle_in_force_now())


def cycle_in_force_now() -> CycleInForce | None:
    """The cycle in force (None before the first review): as read with the signed-in person
    in this request (keep_cycle_in_force), else read now."""
    kept = g.get("cycle_in_force", _NOT_KEPT)
    return cycle_in_force(db.session) if kept is _NOT_KEPT else kept


_NOT_KEPT = object()


def keep_cycle_in_force(cycle: CycleInForce | None) -> None:
    """Remember for this request the cycle in force, read with the signed-in person: nearly
    every page needs it, and reading it with them saves a round trip."""
    g.cycle_in_force = cycle


def cycle_or_404(cycle):
    """The cycle given, if any; else 404 (before the Trust has recorded its first review)."""
    if cycle is None:
        abort(404)
    return cycle


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


def my_tracks() -> tuple[Track, ...]:
    """The tracks the signed-in person must take (their roles decide)."""
    # The person behind Flask-Login's proxy, once: every question to the proxy finds them
    # again in the request's context.
    person = current_user._get_current_object()
    if not person.is_authenticated:
        return ()
    return tracks_of(content(), person)


def has_my_training_page() -> bool:
    """HR officers with no track of their own have no "My training": / sends them to the
    completion overview, and the navigation leaves the link out."""
    return bool(my_tracks()) or not current_user._get_current_object().has_role(Role.HR)
