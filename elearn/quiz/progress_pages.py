"""Pages showing the learner's progress in the cycle in force (the home page, a unit's
page): the passes carried over into it read with the signed-in person, a round trip less."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g
from flask_login import current_user, login_required

from elearn.auth.sessions import preload_signed_in_person, signed_in_session_token
from elearn.extensions import db
from elearn.models import AnyCycle
from elearn.quiz.attempts import CarriedOver, carried_over, signed_in_and_carried_over


def signed_in_with_carried_over(view: Callable) -> Callable:
    """login_required, for a page showing the learner's progress in the cycle in force: the
    passes carried over into it are read in the signed-in person's statement, a round trip
    less. Flask-Login still decides who is signed in."""
    guarded = login_required(view)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        session_token = signed_in_session_token()
        if session_token is not None:  # else the loader reads them (a remember-me cookie)
            person_rows, carried = signed_in_and_carried_over(db.session, session_token)
            preload_signed_in_person(session_token, person_rows)
            if person_rows:
                g.carried_over = carried
        return guarded(*args, **kwargs)

    return wrapped


def my_carried_over(cycle: AnyCycle) -> dict[str, CarriedOver]:
    """The signed-in person's passes carried over into the cycle in force: as read with
    them by `signed_in_with_carried_over`, else read now."""
    carried = g.pop("carried_over", None)
    if carried is None:
        carried = carried_over(db.session, current_user.id, cycle.id)
    return carried
