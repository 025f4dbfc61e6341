"""The one place that decides who may do what to whom: roles per page, and the schools whose
people a person may see or act on. Every view asks here; no view decides scope itself."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from elearn.models import Person, Role, School

F = TypeVar("F", bound=Callable)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Signed-in people holding any of `roles` may pass; others get 404, which reveals nothing."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def person_to_manage_or_404(session: Session, person_id: int) -> Person:
    """The person, if the signed-in HR officer manages their school; else 404, the same as
    for nobody (it reveals nothing)."""
    person = session.get(Person, person_id)
    if person is None or not may_manage_school(current_user, person.school_id):
        abort(404)
    return person


def school_to_manage_or_404(session: Session, school_id: int) -> School:
    """The school, if the signed-in HR officer manages it; else 404."""
    school = session.get(School, school_id)
    if school is None or not may_manage_school(current_user, school_id):
        abort(404)
    return school


def schools_to_manage(person) -> set[int] | None:
    """Schools whose people this person may change, import, remind and mark as leavers: HR
    in the Trust's central team, every school (None); HR elsewhere, their own school;
    anybody else, none (an empty set)."""
    if not person.has_role(Role.HR):
        return set()
    return None if person.school.is_central else {person.school_id}


def schools_to_see(person) -> set[int] | None:
    """Schools whose people's training this person may see: those they manage, and a head
    teacher's or DSL's (`leader`) own school. None means every school."""
    scope = schools_to_manage(person)
    if scope is None:
        return None
    if person.has_role(Role.LEADER):
        scope = scope | {person.school_id}
    return scope


def may_see_school(viewer, school_id: int) -> bool:
    scope = schools_to_see(viewer)
    return scope is None or school_id in scope


def may_manage_school(viewer, school_id: int) -> bool:
    scope = schools_to_manage(viewer)
    return scope is None or school_id in scope


def may_see_person(viewer, person) -> bool:
    """Oneself; HR and head teachers within their scope. Nobody else sees another person."""
    if viewer.id == person.id:
        return True
    return may_see_school(viewer, person.school_id)


def may_act_on_person(viewer, person) -> bool:
    """HR within the schools they manage, never on themselves (one cannot mark oneself a
    leaver, nor send oneself HR's reminder)."""
    return viewer.id != person.id and may_manage_school(viewer, person.school_id)


def may_record_review(person) -> bool:
    """A policy review changes every school's training, and its preview shows every school's
    figures: the central team's HR and administrators only, never a school's own HR."""
    return person.has_role(Role.ADMIN) or (person.has_role(Role.HR) and person.school.is_central)


def may_mark_leaver(viewer, person) -> bool:
    """HR within their scope may mark a leaver; taking away someone who holds the HR or
    administrator role is an administrator's act (one HR officer cannot remove another, nor
    the people who can undo it)."""
    if not may_act_on_person(viewer, person):
        return False
    return not person.has_role(Role.HR, Role.ADMIN) or viewer.has_role(Role.ADMIN)


def schools_to_study(person) -> set[int] | None:
    """Schools whose answers feed the anonymous statistics of understanding and questions
    this person may see: administrators, the whole Trust (None); everyone else, the schools
    whose people's training they may see (HR of the Trust: all; HR of a school and its head
    teacher or DSL: their own). The statistics never name a person."""
    if person.has_role(Role.ADMIN):
        return None
    return schools_to_see(person)
