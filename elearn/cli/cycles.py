"""`flask --app wsgi review ...` and `reminders ...`: review cycles and reminders."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.audit import Actor
from elearn.cycles.retraining import Retraining, RetrainingPlan, plan_retraining
from elearn.cycles.review import ReviewError, check_review, record_review
from elearn.cycles.rules import current_cycle, deadline
from elearn.extensions import db
from elearn.hr import reminders
from elearn.models import utcnow

review_cli = AppGroup("review", help="Policy reviews and review cycles.")
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
    outcome = reminders.send_reminders(
        db.session, reminders.ReminderSettings.from_config(current_app.config), content, cycle,
        due, Actor.SYSTEM, today, utcnow())
    sent, failed, logged_only = outcome.sent, outcome.failed, outcome.logged_only
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
               f"({deadline(cycle, today).days_left} days to the review date).")
    if failed:
        sys.exit(1)


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
    _print_plan(plan)
    if not yes and not click.confirm("Record this review?"):
        raise click.ClickException("Nothing recorded.")
    cycle = record_review(db.session, trust_content, reviewed_on.date(), next_review.date(),
                          today, policy.version, Retraining(retrain), Actor.SYSTEM,
                          plan=plan).cycle
    db.session.commit()
    click.echo(f"Review recorded. New cycle: training due by {cycle.review_date}.")


def _print_plan(plan: RetrainingPlan) -> None:
    click.echo(f"Version {plan.new_version}: {plan.retraining.label.lower()}.")
    for school in plan.schools:
        units = ", ".join(f"{uid} ({n})" for uid, n in sorted(school.units_due.items()))
        click.echo(f"  {school.school_name}: {school.people_due} of {school.people} people "
                   f"due; units due: {units or 'none'}; {school.carried_over} passes "
                   "carried over")


@review_cli.command("status")
def review_status() -> None:
    """Show the current review cycle and the days left."""
    cycle = current_cycle(db.session)
    if cycle is None:
        raise click.ClickException("No review has been recorded.")
    click.echo(f"Policy version {cycle.policy_version}, reviewed {cycle.reviewed_on}; "
               f"training due by {cycle.review_date} ({deadline(cycle, date.today()).words}).")
