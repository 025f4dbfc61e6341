"""`flask --app wsgi demo ...`: the demo trust."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.current import renderer
from elearn.demo import DEMO_PASSWORD, is_empty, load_demo, seed_progress
from elearn.extensions import db
from elearn.models import utcnow

demo_cli = AppGroup("demo", help="The demo trust.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when people already exist.")
@click.option("--quiet", is_flag=True, help="Do not print the demo sign-ins.")
@click.option("--no-progress", is_flag=True,
              help="Leave everyone not started (by default two schools are part-way).")
def demo_load(if_empty: bool, quiet: bool, no_progress: bool) -> None:
    """Load the demo trust (three schools, staff, governors, HR, admin)."""
    if not is_empty(db.session):
        if if_empty:
            if not quiet:
                click.echo("The database already holds people; demo trust not loaded.")
            return
        raise click.ClickException("The database already holds people. Use an empty database.")
    trust_content = current_app.extensions["elearn_content"]
    sign_ins = load_demo(db.session, trust_content.policy, date.today())
    db.session.flush()
    if not no_progress:
        seed_progress(db.session, trust_content, renderer(), current_app.config["BASE_URL"],
                      date.today(), utcnow())
    db.session.commit()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {what:45} {email}" for what, email in sign_ins]
    # Kept beside the database so `make run` can show them again on every start.
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(current_app.instance_path, "demo-sign-ins.txt").write_text("\n".join(lines) + "\n")
    click.echo("Demo trust loaded." + ("" if quiet else "\n" + "\n".join(lines)))
