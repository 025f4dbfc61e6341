"""`flask --app wsgi content ...`: checking the training content in modules/."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.content import ContentError, load_content
from elearn.content.coverage import coverage as clause_coverage
from elearn.content.lint import RULES, lint
from elearn.content.model import UnknownVersion
from elearn.content.versions import Change, diff_policies
from elearn.extensions import db
from elearn.understanding.exports import questions_csv
from elearn.understanding.service import load_question_stats
from elearn.understanding.tally import refresh_tallies

content_cli = AppGroup("content", help="Training content in modules/.")


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


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "-"


@content_cli.command("lint")
def content_lint() -> None:
    """Check the questions are fair (keys, balance, citations, draws); fail naming them."""
    report = lint(_load_or_exit())
    click.echo(f"{'Track':10} {'Longest key':>14} {'True keys':>14} "
               f"{'Select-all >1 wrong':>20} {'Ordering':>9}")
    for f in report.figures:
        click.echo(f"{f.track_id:10} {_share(f.longest_keys, f.singles):>14} "
                   f"{_share(f.true_keys, f.true_false):>14} "
                   f"{_share(f.several_wrong, f.selects):>20} {f.orderings:>9}")
    if report.ok:
        click.echo("\nEvery rule holds:")
        for rule in RULES.values():
            click.echo(f"  - {rule}")
        return
    click.echo("", err=True)
    for rule, description in RULES.items():
        broken = [b for b in report.breaches if b.rule == rule]
        if broken:
            click.echo(f"{rule}: {description}", err=True)
            for b in broken:
                track = f" [{b.track}]" if b.track else ""
                click.echo(f"  {b.question}{track}: {b.detail}", err=True)
    click.echo(f"\n{len(report.question_ids())} question(s) or unit(s) break a rule.",
               err=True)
    sys.exit(1)


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


@content_cli.command("stats")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (as /hr/questions.csv) instead.")
def content_stats(as_csv: bool) -> None:
    """Question statistics of the current review cycle for whoever edits modules/: first
    attempts, facility, discrimination, options chosen and flags, for the whole Trust.
    Figures about fewer than 5 people are shown as "fewer than 5"."""
    refresh_tallies(db.session)
    db.session.commit()
    cycle, stats = load_question_stats(db.session, current_app.extensions["elearn_content"],
                                       None)
    if as_csv:
        click.echo(questions_csv(stats), nl=False)
        return
    if cycle is None:
        raise click.ClickException("No review cycle is recorded: there are no answers yet.")
    click.echo(f"First attempts in the cycle to {cycle.review_date.isoformat()}; "
               f"{sum(bool(s.flags) for s in stats)} of {len(stats)} question(s) flagged.")
    click.echo(f"{'Question':48} {'Answered':>12} {'Facility':>12} {'Discr.':>12}  Flags")
    for s in stats:
        name = f"{s.unit_id}/{s.question_id}" + ("" if s.current else f"@{s.fingerprint[:8]}")
        click.echo(f"{name[:48]:48} {s.answers_text:>12} {s.facility_text:>12} "
                   f"{s.discrimination_text:>12}  {'; '.join(s.flags)}")
