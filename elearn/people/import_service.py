"""The staff import workflow after the preview: write the plan, keep the upload with its
summary, record the audit trail, then invite the new people. One service for the HR page
and the command line. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit import Actor
from elearn.models import Person, StaffImport
from elearn.people.staff_import import IMPORTABLE_ROLES, Field, ImportPlan, chunks


class PlanNotValid(ValueError):
    pass


@dataclass(frozen=True)
class ImportOutcome:
    upload: StaffImport
    added: list[Person]

    @property
    def summary(self) -> str:
        return self.upload.summary or ""


def record_upload(session: Session, text: str, filename: str, deactivate_leavers: bool,
                  by: Actor) -> StaffImport:
    """Keep an uploaded file, so that confirming re-validates exactly what was previewed."""
    upload = StaffImport(uploaded_by_id=by.person_id, text=text,
                         filename=(filename or "staff.csv")[:255],
                         deactivate_leavers=deactivate_leavers)
    session.add(upload)
    session.flush()
    return upload


def apply_import(session: Session, plan: ImportPlan) -> list[Person]:
    """Write the plan: add, change, deactivate. Returns the people added (to invite)."""
    if not plan.ok:
        raise PlanNotValid("An import with errors cannot be applied.")
    ids = [c.person_id for c in plan.changes] + [leaver.person_id for leaver in plan.leavers]
    people: dict[int, Person] = {}
    for chunk in chunks(ids):
        people.update((p.id, p) for p in session.scalars(
            select(Person).where(Person.id.in_(chunk))))
    for change in plan.changes:
        person, row = people[change.person_id], change.row
        person.active = True
        person.left_on = None  # back again: no leaving date may outlive the return
        person.name = row.name
        person.school_id = row.school_id
        person.set_roles(set(row.roles) | (person.roles - IMPORTABLE_ROLES))
        if change.changes(Field.JOB_TITLE):
            person.job_title = row.job_title
    for leaver in plan.leavers:
        person = people[leaver.person_id]
        person.active = False
        person.end_all_sessions()
    added = []
    for row in plan.adds:
        person = Person(name=row.name, email=row.email, school_id=row.school_id,
                        job_title=row.job_title)
        person.set_roles(set(row.roles))
        session.add(person)
        added.append(person)
    session.flush()
    return added


def confirm_import(session: Session, upload: StaffImport, plan: ImportPlan, by: Actor,
                   now: datetime) -> ImportOutcome:
    """Apply a checked plan made from `upload`, mark the upload applied with its summary,
    and record one audit event for the import and one per changed person. The caller
    commits, then invites `added`."""
    added = apply_import(session, plan)
    upload.applied_at = now
    upload.summary = (f"{len(plan.adds)} added, {len(plan.changes)} changed, "
                      f"{len(plan.leavers)} deactivated, {plan.unchanged} unchanged.")
    session.flush()
    by.record(session, "staff-imported", f"import:{upload.id}", summary=upload.summary,
              added=[p.id for p in added], deactivated=[x.person_id for x in plan.leavers])
    for change in plan.changes:  # role and detail changes, one event per person
        by.record(session, "person-changed", f"person:{change.person_id}",
                  changes=list(change.what), via=f"import:{upload.id}")
    return ImportOutcome(upload, added)
