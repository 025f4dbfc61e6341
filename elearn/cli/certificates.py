"""`flask --app wsgi certificates ...`: the signing identity."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.certification.signing import make_development_identity

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
