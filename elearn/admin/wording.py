"""The audit trail in plain words: what each action means, and who or what each subject is.

The stored events keep their machine names (`sign-in-failed`, `person:2`) so that queries and
exports stay stable; only the page translates them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.models import Person, ReviewCycle, School
from elearn.wording import long_date

ACTIONS = {
    "sign-in": "Signed in",
    "sign-in-failed": "Sign-in failed (wrong email or password)",
    "sign-in-throttled": "Sign-in refused (too many tries)",
    "sign-out": "Signed out",
    "password-set": "Set a password",
    "person-added": "Added a person",
    "person-changed": "Changed a person's details",
    "staff-imported": "Imported staff from a file",
    "leaver-marked": "Marked a leaver",
    "leaver-erased": "Erased a leaver's data",
    "policy-acknowledged": "Confirmed reading the policy",
    "personal-data-downloaded": "Downloaded their own data",
    "review-recorded": "Recorded a policy review",
    "reminders-sent": "Sent reminders",
    "export-people": "Downloaded the people list",
    "export-certificates-zip": "Downloaded a school's certificates",
    "certificate-revoked": "Revoked a certificate",
}

DETAIL_LABELS = {
    "via": "how", "version": "policy version", "cycle": "review", "format": "file type",
    "rows": "rows", "roles": "roles", "left_on": "left on", "summary": "summary",
    "changes": "changed", "reason": "reason",
}


def action_words(action: str) -> str:
    return ACTIONS.get(action, action.replace("-", " ").capitalize())


def detail_words(details: dict) -> list[tuple[str, str]]:
    """(label, value) pairs, lists joined with commas, in the stored order."""
    out = []
    for key, value in details.items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        out.append((DETAIL_LABELS.get(key, key.replace("_", " ")), str(value)))
    return out


def subject_words(session: Session, subjects: Iterable[str | None]) -> dict[str, str]:
    """{stored subject: what a reader calls it}: a person's name, "the review of 1 September
    2026", a school's name, an account's email; unknown kinds are shown as stored."""
    ids: dict[str, set[int]] = {"person": set(), "cycle": set(), "school": set()}
    wanted = {s for s in subjects if s}
    for subject in wanted:
        kind, _, key = subject.partition(":")
        if kind in ids and key.isdigit():
            ids[kind].add(int(key))
    words: dict[str, str] = {}
    if ids["person"]:
        for pid, name in session.execute(
                select(Person.id, Person.name).where(Person.id.in_(ids["person"]))):
            words[f"person:{pid}"] = name or f"Person {pid} (erased)"
    if ids["cycle"]:
        for cycle in session.scalars(select(ReviewCycle).where(
                ReviewCycle.id.in_(ids["cycle"]))):
            words[f"cycle:{cycle.id}"] = f"Policy review of {long_date(cycle.reviewed_on)}"
    if ids["school"]:
        for sid, name in session.execute(
                select(School.id, School.name).where(School.id.in_(ids["school"]))):
            words[f"school:{sid}"] = name
    for subject in wanted - words.keys():
        kind, _, key = subject.partition(":")
        label = {"account": "Account", "import": "Staff file", "certificate": "Certificate",
                 "person": "Person", "cycle": "Review", "school": "School"}.get(kind)
        words[subject] = f"{label} {key}" if label else subject
    return words
