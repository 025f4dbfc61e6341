"""`flask --app wsgi people ...` and `privacy ...`: adding and importing people, and
erasing leavers' details."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.audit import Actor
from elearn.auth.invitations import LinkSettings, send_invitations
from elearn.auth.passwords import hash_password, password_problem
from elearn.cli.common import audit
from elearn.extensions import db
from elearn.models import utcnow
from elearn.people.import_service import confirm_import, record_upload
from elearn.people.leavers import due_for_erasure, erase
from elearn.people.rules import NewPerson, PersonError, add_person
from elearn.people.staff_file import decode
from elearn.people.staff_import import ImportPlan, plan_import

people_cli = AppGroup("people", help="People of the Trust.")
privacy_cli = AppGroup("privacy", help="Personal data: erasing leavers' details.")


@people_cli.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--school", required=True, help="The school's name, as in the app.")
@click.option("--role", "roles", multiple=True, required=True,
              help="staff, governor, leader, hr or admin; repeat for several.")
@click.option("--job-title", default=None)
@click.option("--password", default=None, help="Leave out to be prompted.")
def people_add(name, email, school, roles, job_title, password) -> None:
    """Add a person; with --role admin this creates an administrator."""
    try:
        person = add_person(db.session, NewPerson(name, email, school, tuple(roles), job_title))
    except PersonError as exc:
        raise click.ClickException(str(exc)) from exc
    if password is None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None:
        problem = password_problem(password, person.email)
        if problem:
            raise click.ClickException(problem)
        person.password_hash = hash_password(password)
    db.session.flush()
    audit("person-added", f"person:{person.id}", roles=sorted(roles))
    db.session.commit()
    click.echo(f"Added {person.name} <{person.email}> ({', '.join(sorted(roles))}).")


def _print_import_preview(plan: ImportPlan) -> None:
    for row in plan.adds:
        click.echo(f"add     line {row.line}: {row.name} <{row.email}>, {row.school_name}, "
                   + "; ".join(sorted(r.value for r in row.roles)))
    for change in plan.changes:
        click.echo(f"change  line {change.row.line}: {change.row.name} <{change.row.email}>: "
                   + "; ".join(change.what))
    for leaver in plan.leavers:
        click.echo(f"leaver  {leaver.name} <{leaver.email}>, {leaver.school_name}"
                   + (" (" + ", ".join(sorted(r.value for r in leaver.key_roles)) + ")"
                      if leaver.key_roles else ""))
    for school in plan.leaver_impact.schools:
        click.echo(f"Deactivates {school.leavers} of {school.active} active people at "
                   f"{school.school_name} ({school.percent}%).")
    click.echo(f"Preview: {plan.summary()}.")


@people_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--deactivate-leavers", is_flag=True,
              help="Deactivate people of the schools in the file who are not in it.")
@click.option("--yes", is_flag=True, help="Import without asking for confirmation.")
def people_import(file: Path, deactivate_leavers: bool, yes: bool) -> None:
    """Import people from a CSV (name,email,school,roles[,job_title]); all or nothing.

    Prints the preview (added, changed, deactivated); nothing is written unless every row is
    valid and you confirm. New people are emailed an invitation to set their password.
    """
    try:
        text = decode(file.read_bytes())
    except PersonError as exc:
        raise click.ClickException(str(exc)) from exc
    plan = plan_import(db.session, text, None, deactivate_leavers)
    if not plan.ok:
        for error in plan.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"Nothing imported: {len(plan.errors)} problem(s).")
    _print_import_preview(plan)
    if not plan.has_work:
        click.echo("Nothing to do.")
        return
    if not yes and not (sys.stdin.isatty() and click.confirm("Import?", default=False)):
        click.echo("Not imported (use --yes to import without a prompt).")
        return
    upload = record_upload(db.session, text, file.name, deactivate_leavers, Actor.SYSTEM)
    outcome = confirm_import(db.session, upload, plan, Actor.SYSTEM, utcnow())
    db.session.commit()
    failed = send_invitations(LinkSettings.from_config(current_app.config), outcome.added)
    for person, why in failed:
        click.echo(f"The invitation to {person.name} <{person.email}> could not be emailed: "
                   f"{why}", err=True)
    invited = "invited" if not failed else f"{len(plan.adds) - len(failed)} invited"
    click.echo(f"Imported: {len(plan.adds)} added ({invited}), "
               f"{len(plan.changes)} changed, {len(plan.leavers)} deactivated.")
    if failed:
        sys.exit(1)


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
def privacy_purge(dry_run: bool) -> None:
    """Erase the personal details of leavers past the retention period (run daily)."""
    days = current_app.config["RETENTION_DAYS"]
    due = due_for_erasure(db.session, date.today(), days)
    for person in due:
        click.echo(f"{'Would erase' if dry_run else 'Erasing'} person #{person.id} "
                   f"(left {person.left_on}, retention {days} days)")
        if not dry_run:
            erase(db.session, person, utcnow())
            audit("leaver-erased", f"person:{person.id}")
    if not dry_run:
        db.session.commit()
    click.echo(f"{len(due)} leaver(s) {'due for erasure' if dry_run else 'erased'}.")
