"""Reminders to people who have not completed their training. No Flask here.

The daily job emails each incomplete person when their review date is 30, 14, 7 and 1 days
away, and once when it has passed. Each reminder is recorded in `reminder_log`, whose
partial unique index makes every automatic kind at most once per person and cycle.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn import mail
from elearn.audit import Actor
from elearn.content.model import Content
from elearn.cycles.rules import deadline
from elearn.hr.completion import PersonCompletion, TrackState, completion
from elearn.mail import MailSettings
from elearn.models import MANUAL, ReminderLog, ReviewCycle
from elearn.wording import long_date

THRESHOLDS = (30, 14, 7, 1)
OVERDUE = "overdue"
KIND_LABELS = {"30-days": "30 days before", "14-days": "14 days before",
               "7-days": "7 days before", "1-day": "1 day before", OVERDUE: "overdue",
               MANUAL: "sent by hand"}


def kind_for(threshold: int) -> str:
    return f"{threshold}-day" if threshold == 1 else f"{threshold}-days"


def due_reminder(days_left: int, already_sent: Collection[str]) -> str | None:
    """The one reminder to send today, or None.

    Only the most recent threshold reached counts: with 5 days left the 7-day reminder is
    due (once), never the 30- and 14-day ones as well. After the review date, "overdue" once.
    """
    if days_left < 0:
        return None if OVERDUE in already_sent else OVERDUE
    reached = [t for t in THRESHOLDS if t >= days_left]
    if not reached:
        return None
    kind = kind_for(min(reached))
    return None if kind in already_sent else kind


@dataclass(frozen=True)
class Reminder:
    person: PersonCompletion
    kind: str
    log_id: int | None = None


def due_reminders(session: Session, content: Content, cycle: ReviewCycle,
                  today: date) -> list[Reminder]:
    """Everyone not complete whose next reminder is due today (two set-based reads)."""
    sent: dict[int, set[str]] = defaultdict(set)
    for person_id, kind in session.execute(
            select(ReminderLog.person_id, ReminderLog.kind).where(
                ReminderLog.cycle_id == cycle.id, ReminderLog.kind != MANUAL)):
        sent[person_id].add(kind)
    days_left = deadline(cycle, today).days_left
    due = []
    for row in completion(session, content, cycle, today, None):
        if row.status is TrackState.COMPLETE:
            continue
        kind = due_reminder(days_left, sent.get(row.id, ()))
        if kind is not None:
            due.append(Reminder(row, kind))
    return sorted(due, key=lambda r: (r.person.school_name, r.person.name))


def record(session: Session, cycle: ReviewCycle, reminders: Iterable[Reminder],
           now: datetime, by_id: int | None = None,
           logged_only: bool = False) -> list[Reminder]:
    """Log each reminder before it is sent; one the database already holds (another run got
    there first) is dropped. Returns those to send, each with its log id. `logged_only`:
    no mail server is set up, so the emails will only be written to the server's log."""
    kept = []
    for reminder in reminders:
        log = ReminderLog(person_id=reminder.person.id, cycle_id=cycle.id, kind=reminder.kind,
                          sent_at=now, sent_by_id=by_id, logged_only=logged_only)
        try:
            with session.begin_nested():
                session.add(log)
        except IntegrityError:
            continue
        kept.append(Reminder(reminder.person, reminder.kind, log.id))
    return kept


def forget(session: Session, log_ids: Iterable[int]) -> None:
    """A reminder that could not be sent is taken out of the log, so the next run retries."""
    ids = list(log_ids)
    if ids:
        session.execute(delete(ReminderLog).where(ReminderLog.id.in_(ids)))


def message(reminder: Reminder, cycle: ReviewCycle, content: Content, today: date,
            trust: str, base_url: str) -> tuple[str, str]:
    """The subject and body of a reminder email."""
    person = reminder.person
    due = long_date(cycle.review_date)
    days_left = deadline(cycle, today).days_left
    titles = {t.id: t.title for t in content.tracks}
    todo = [titles[t] for t, state in person.tracks if state is not TrackState.COMPLETE]
    if person.acknowledged_at is None:
        todo.insert(0, f"Read and acknowledge the policy (version {cycle.policy_version})")
    if days_left < 0:
        subject = f"{trust}: your Social Media Policy training is overdue"
        when = f"was due on {due}"
    elif days_left == 0:
        subject = f"{trust}: your Social Media Policy training is due today"
        when = f"is due today, {due}"
    else:
        plural = "s" if days_left != 1 else ""
        subject = (f"{trust}: Social Media Policy training due in {days_left} day{plural}")
        when = f"is due by {due} ({days_left} day{plural} left)"
    body = (f"Dear {person.name},\n\nYour Social Media Policy training {when}.\n\n"
            f"Still to complete:\n" + "".join(f"- {t}\n" for t in todo) +
            f"\nSign in to continue where you left off:\n{base_url}/\n\n"
            f"If you think this is wrong, please contact your school office or HR.\n")
    return subject, body


def log_for(session: Session, person_id: int) -> list[ReminderLog]:
    return list(session.scalars(select(ReminderLog).where(ReminderLog.person_id == person_id)
                                .order_by(ReminderLog.sent_at.desc(), ReminderLog.id.desc())))


def deliver(settings: MailSettings, reminders: Iterable[Reminder], cycle: ReviewCycle,
            content: Content, today: date, trust: str,
            base_url: str) -> tuple[list[Reminder], list[tuple[Reminder, str]]]:
    """Email each reminder (after the log is committed). Returns (sent, failed with why)."""
    sent, failed = [], []
    for reminder in reminders:
        subject, body = message(reminder, cycle, content, today, trust, base_url)
        try:
            mail.send(settings, reminder.person.email, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            failed.append((reminder, str(exc) or exc.__class__.__name__))
        else:
            sent.append(reminder)
    return sent, failed


@dataclass(frozen=True)
class ReminderSettings:
    """What sending needs from the app's settings."""

    mail: MailSettings
    trust_name: str
    base_url: str

    @classmethod
    def from_config(cls, config) -> ReminderSettings:
        return cls(MailSettings.from_config(config), config["TRUST_NAME"], config["BASE_URL"])


@dataclass(frozen=True)
class Sending:
    """What happened to a batch of reminders."""

    sent: list[Reminder]
    failed: list[tuple[Reminder, str]]
    # No mail server is set up: the reminders were written to the server's log only.
    logged_only: bool


def send_reminders(session: Session, settings: ReminderSettings, content: Content,
                   cycle: ReviewCycle, reminders: Iterable[Reminder], by: Actor,
                   today: date, now: datetime) -> Sending:
    """The one reminder workflow, for the daily job and HR's buttons alike: log each
    reminder (dropping any already sent), audit, commit, then email; a reminder that could
    not be emailed is taken out of the log again so the next run retries it."""
    logged_only = not settings.mail.configured
    kept = record(session, cycle, reminders, now, by.person_id, logged_only=logged_only)
    if kept:
        by.record(session, "reminders-sent", f"cycle:{cycle.id}",
                  people=[r.person.id for r in kept], kinds=sorted({r.kind for r in kept}),
                  logged_only=logged_only)
    session.commit()
    sent, failed = deliver(settings.mail, kept, cycle, content, today, settings.trust_name,
                           settings.base_url)
    if failed:
        forget(session, [r.log_id for r, _ in failed])
        session.commit()
    return Sending(sent, failed, logged_only)
