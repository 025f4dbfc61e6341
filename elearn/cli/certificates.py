"""`flask --app wsgi certificates ...`: the signing identity, and issuing certificates
outside the web pages."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.certification.issuing import issue_missing_certificates, missing_certificates
from elearn.certification.signing import make_development_identity
from elearn.current import content, renderer
from elearn.extensions import db
from elearn.models import utcnow

certificates_cli = AppGroup("certificates", help="Certificates and their signing identity.")


@certificates_cli.command("dev-identity")
@click.option("--force", is_flag=True, help="Replace an existing identity.")
def certificates_dev_identity(force: bool) -> None:
    """Make a self-signed signing identity for development (the file ELEARN_SIGNING_P12
    names; by default instance/dev-signing.p12). Never for production: a PDF reader shows
    its signatures as made by an unknown signer."""
    if current_app.config["ELEARN_ENV"] == "production":
        raise click.ClickException(
            "Production uses the Trust's own document-signing certificate, not a self-signed "
            "one: see \"Signing certificates\" in README.md.")
    path = Path(current_app.config["SIGNING_P12"])
    if path.exists() and not force:
        click.echo(f"A signing identity already exists: {path}")
        return
    make_development_identity(path, current_app.config["SIGNING_PASSWORD"],
                              current_app.config["TRUST_NAME"])
    click.echo(f"Made a self-signed development signing identity: {path}")


@certificates_cli.command("repair")
def certificates_repair() -> None:
    """Issue the certificate of every completion left without one (a crash or a render
    error after the completion was recorded). Safe to run at any time, and again: each
    certificate is issued once."""
    issued = issue_missing_certificates(db.session, content(), renderer, utcnow(),
                                        current_app.config["BASE_URL"])
    for certificate in issued:
        click.echo(f"issued {certificate.code} ({certificate.track_title})")
    click.echo(f"{len(issued)} certificate(s) issued.")
    left = missing_certificates(db.session)
    if left:
        raise click.ClickException(f"{len(left)} completion(s) still without a certificate: "
                                   "see the log for why.")
