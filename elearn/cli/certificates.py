"""`flask --app wsgi certificates ...`: issuing certificates outside the web pages."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.certification.issuing import issue_missing_certificates, missing_certificates
from elearn.current import content, renderer
from elearn.extensions import db
from elearn.models import utcnow

certificates_cli = AppGroup("certificates", help="Certificates.")


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
