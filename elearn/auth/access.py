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
