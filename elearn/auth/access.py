"""The one place that decides who may use which page: roles required per view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user, login_required

from elearn.models import Role

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


def hr_school_ids(person) -> set[int] | None:
    """Schools an HR officer may see: None means every school (HR in the central team)."""
    if not person.has_role(Role.HR):
        return set()
    return None if person.school.is_central else {person.school_id}


def visible_school_ids(person) -> set[int] | None:
    """Schools whose people's training this person may see: the one scoping rule.

    None means every school (HR in the Trust's central team); HR elsewhere and head teachers
    and DSLs (`leader`) see their own school; everyone else sees none (an empty set).
    """
    scope = hr_school_ids(person)
    if scope is None:
        return None
    if person.has_role(Role.LEADER):
        scope = scope | {person.school_id}
    return scope


def can_see_school(viewer, school_id: int) -> bool:
    scope = visible_school_ids(viewer)
    return scope is None or school_id in scope


def can_see_person(viewer, person) -> bool:
    """Oneself; HR and head teachers within their scope. Nobody else sees another person."""
    if viewer.id == person.id:
        return True
    return can_see_school(viewer, person.school_id)
