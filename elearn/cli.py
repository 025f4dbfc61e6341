"""`flask --app wsgi ...` commands. Each command's docstring is its help text."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from elearn.audit import record as audit_record
from elearn.auth.passwords import hash_password, password_problem
from elearn.auth.tokens import INVITE
from elearn.auth.views import send_password_link
from elearn.certification.signing import make_development_identity
from elearn.content import ContentError, load_content
from elearn.content.coverage import coverage as clause_coverage
from elearn.content.model import UnknownVersion
from elearn.content.versions import Change, diff_policies
from elearn.cycles import current_cycle, deadline
from elearn.demo import DEMO_PASSWORD, is_empty, load_demo, seed_progress
from elearn.extensions import db
from elearn.hr import reminders
from elearn.hr.importing import apply_import, decode, plan_import
from elearn.mail import MailSettings
from elearn.models import utcnow
from elearn.people import NewPerson, PersonError, add_person
from elearn.privacy import due_for_erasure, erase
from elearn.review import (
    Retraining,
    ReviewError,
    check_review,
    plan_retraining,
    record_review,
)
from elearn.web import renderer


def _audit(action: str, subject: str | None, **details) -> None:
    """Add an event to the audit trail for a command run on the server (no person, no
    address: "cli"); it is committed with the change."""
    audit_record(db.session, action, actor_id=None, address="cli", subject=subject, **details)


demo_cli = AppGroup("demo", help="The demo trust.")
people_cli = AppGroup("people", help="People of the Trust.")
content_cli = AppGroup("content", help="Training content in modules/.")
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
    _audit("person-added", f"person:{person.id}", roles=sorted(roles))
    db.session.commit()
    click.echo(f"Added {person.name} <{person.email}> ({', '.join(sorted(roles))}).")


def _load_or_exit():
    try:
        return load_content(current_app.config["CONTENT_DIR"])
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)


def _version_or_exit(trust_content, version: str):
    try:
        return trust_content.policy_version(version)
    except UnknownVersion as exc:
        raise click.ClickException(str(exc)) from None


@content_cli.command("check")
def content_check() -> None:
    """Load and validate modules/; list every problem and exit non-zero if any."""
    content = _load_or_exit()
    questions = sum(len(u.questions) for u in content.units.values())
    click.echo(f"Content is valid: policy versions {', '.join(content.versions)} (newest "
               f"{len(content.policy.clauses)} clauses), "
               f"{len(content.units)} units, {questions} questions, {len(content.tracks)} "
               f"tracks. Fingerprint {content.fingerprint[:12]}.")


@content_cli.command("coverage")
@click.option("--version", default=None,
              help="The policy version to check (default: the newest in modules/).")
def content_coverage(version: str | None) -> None:
    """Print each clause with the questions that assess it, per track; fail on gaps."""
    content = _load_or_exit()
    policy = _version_or_exit(content, version) if version else content.policy
    click.echo(f"Policy version {policy.version}")
    rows = clause_coverage(content, policy)
    gaps = 0
    for track in content.tracks:
        click.echo(f"\n== Track '{track.id}': {track.title}")
        for row in (r for r in rows if r.track_id == track.id):
            mark = "GAP " if row.gap else ("req " if row.required else "    ")
            gaps += row.gap
            assessed = ", ".join(row.questions) if row.questions else "(assessed by no question)"
            click.echo(f"  {mark}{row.clause_id:45} {assessed}")
    if gaps:
        click.echo(f"\n{gaps} requirement clause(s) assessed by no question of their track.",
                   err=True)
        sys.exit(1)
    click.echo("\nEvery requirement clause is assessed in every track it applies to.")


@content_cli.command("diff")
@click.argument("old")
@click.argument("new")
def content_diff(old: str, new: str) -> None:
    """What changed from policy version OLD to NEW: added, removed and changed clauses, the
    changed words marked [-deleted-] {+inserted+}, and the questions citing each."""
    content = _load_or_exit()
    diff = diff_policies(_version_or_exit(content, old), _version_or_exit(content, new),
                         content)
    click.echo(f"Policy version {old} -> {new}: {len(diff.of(Change.ADDED))} added, "
               f"{len(diff.of(Change.REMOVED))} removed, {len(diff.of(Change.CHANGED))} "
               "changed.")
    for change in diff.changes:
        kind = "requirement" if change.requirement else "context"
        click.echo(f"\n{change.change.value.upper()} {change.clause_id} ({kind}, "
                   f"{change.section_title})")
        marked = " ".join(w.text if w.kind == "same" else
                          (f"[-{w.text}-]" if w.kind == "delete" else f"{{+{w.text}+}}")
                          for w in change.words)
        click.echo(f"  {marked}")
        if change.cited_by:
            for unit in change.cited_by:
                click.echo(f"  cited by {unit.unit_id} ({unit.unit_title}): "
                           f"{', '.join(unit.question_ids)}")
        else:
            click.echo("  cited by no question")


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
    impact = plan.leaver_impact
    for school in impact.schools:
        click.echo(f"Deactivates {school.leavers} of {school.active} active people at "
                   f"{school.school_name} ({school.percent}%).")
    click.echo(f"Preview: {plan.summary()}.")
    if not plan.has_work:
        click.echo("Nothing to do.")
        return
    if not yes and not (sys.stdin.isatty() and click.confirm("Import?", default=False)):
        click.echo("Not imported (use --yes to import without a prompt).")
        return
    added = apply_import(db.session, plan)
    db.session.flush()
    _audit("staff-imported", None, added=[p.id for p in added],
           deactivated=[x.person_id for x in plan.leavers],
           changed=[c.person_id for c in plan.changes])
    db.session.commit()
    with current_app.test_request_context():
        for person in added:
            send_password_link(person, INVITE)
    click.echo(f"Imported: {len(plan.adds)} added (invited), {len(plan.changes)} changed, "
               f"{len(plan.leavers)} deactivated.")


reminders_cli = AppGroup("reminders", help="Reminder emails to people not yet complete.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing.")
def reminders_send(dry_run: bool) -> None:
    """Email the reminders due today (30, 14, 7, 1 days before the review date, and once
    when overdue). Run it daily from cron; each reminder goes at most once per person."""
    cycle = current_cycle(db.session)
    if cycle is None:
        click.echo("No review cycle is open; no reminders sent.")
        return
    today = date.today()
    content = current_app.extensions["elearn_content"]
    due = reminders.due_reminders(db.session, content, cycle, today)
    if dry_run:
        for r in due:
            click.echo(f"would send {r.kind:8} {r.person.name} <{r.person.email}>, "
                       f"{r.person.school_name}")
        click.echo(f"{len(due)} reminder(s) due; none sent (dry run).")
        return
    settings = MailSettings.from_config(current_app.config)
    logged_only = not settings.configured
    kept = reminders.record(db.session, cycle, due, utcnow(), logged_only=logged_only)
    if kept:
        _audit("reminders-sent", f"cycle:{cycle.id}", people=[r.person.id for r in kept],
               kinds=sorted({r.kind for r in kept}), logged_only=logged_only)
    db.session.commit()
    sent, failed = reminders.deliver(
        settings, kept, cycle, content, today,
        current_app.config["TRUST_NAME"], current_app.config["BASE_URL"])
    if failed:
        reminders.forget(db.session, [r.log_id for r, _ in failed])
        db.session.commit()
    stamp = utcnow().strftime("%Y-%m-%d %H:%M:%S")
    verb = "logged" if logged_only else "sent  "
    for r in sent:
        click.echo(f"{stamp} {verb} {r.kind:8} {r.person.name} <{r.person.email}>, "
                   f"{r.person.school_name}")
    if logged_only and sent:
        click.echo(f"{stamp} No mail server is set up (ELEARN_MAIL_SERVER): these reminders "
                   "were written to the log, not emailed.")
    for r, why in failed:
        click.echo(f"{stamp} FAILED {r.kind:8} {r.person.name} <{r.person.email}>: {why}",
                   err=True)
    click.echo(f"{stamp} {len(sent)} reminder(s) sent, {len(failed)} failed "
               f"({(cycle.review_date - today).days} days to the review date).")
    if failed:
        sys.exit(1)


review_cli = AppGroup("review", help="Policy reviews and review cycles.")


@review_cli.command("record")
@click.option("--reviewed-on", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The date the policy was reviewed (YYYY-MM-DD).")
@click.option("--next-review", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The next review date: everyone's deadline (YYYY-MM-DD).")
@click.option("--version", default=None,
              help="The policy version the review brings (default: the one in force).")
@click.option("--retrain", type=click.Choice([r.value for r in Retraining]), default="all",
              show_default=True, help="all: every unit is due again; changed: only units "
              "citing a changed or added clause, the others carry over.")
@click.option("--yes", is_flag=True, help="Record without asking for confirmation.")
def review_record(reviewed_on, next_review, version, retrain, yes) -> None:
    """Record a policy review; this opens a new review cycle and everyone is due again.

    Prints what the choice means in each school first; nothing changes until you confirm.
    """
    trust_content = current_app.extensions["elearn_content"]
    today = date.today()
    try:
        policy = check_review(trust_content, version, reviewed_on.date(), next_review.date(),
                              today, current_cycle(db.session))
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from exc
    plan = plan_retraining(db.session, trust_content, policy.version, Retraining(retrain))
    click.echo(f"Version {policy.version}: {plan.retraining.label.lower()}.")
    for school in plan.schools:
        units = ", ".join(f"{uid} ({n})" for uid, n in sorted(school.units_due.items()))
        click.echo(f"  {school.school_name}: {school.people_due} of {school.people} people "
                   f"due; units due: {units or 'none'}; {school.carried_over} passes "
                   "carried over")
    if not yes and not click.confirm("Record this review?"):
        raise click.ClickException("Nothing recorded.")
    cycle = record_review(db.session, trust_content, reviewed_on.date(), next_review.date(),
                          today, policy.version, Retraining(retrain))
    db.session.flush()
    _audit("review-recorded", f"cycle:{cycle.id}", reviewed_on=cycle.reviewed_on.isoformat(),
           next_review=cycle.review_date.isoformat(), version=cycle.policy_version,
           retraining=cycle.retraining, carried_over=len(plan.carry), via="cli")
    db.session.commit()
    click.echo(f"Review recorded. New cycle: training due by {cycle.review_date}.")


@review_cli.command("status")
def review_status() -> None:
    """Show the current review cycle and the days left."""
    cycle = current_cycle(db.session)
    if cycle is None:
        raise click.ClickException("No review has been recorded.")
    click.echo(f"Policy version {cycle.policy_version}, reviewed {cycle.reviewed_on}; "
               f"training due by {cycle.review_date} ({deadline(cycle, date.today()).words}).")


privacy_cli = AppGroup("privacy", help="Personal data: erasing leavers' details.")


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
            _audit("leaver-erased", f"person:{person.id}")
    if not dry_run:
        db.session.commit()
    click.echo(f"{len(due)} leaver(s) {'due for erasure' if dry_run else 'erased'}.")


def register_cli(app: Flask) -> None:
    for group in (demo_cli, people_cli, content_cli, review_cli, privacy_cli, reminders_cli,
                  certificates_cli):
        app.cli.add_command(group)
