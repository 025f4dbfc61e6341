"""Pages showing the learner's progress in the cycle in force (the home page, a unit's
page): the passes carried over into it read with the signed-in person, a round trip less."""

from __future__ import annotations

from flask_login import current_user

from elearn.auth.sessions import kept_or_read, login_required_reading
from elearn.extensions import db
from elearn.models import AnyCycle
from elearn.quiz.passes import CarriedOver, carried_over, signed_in_and_carried_over

# login_required, for a page showing the learner's progress in the cycle in force: the
# passes carried over into it are read in the signed-in person's statement.
signed_in_with_carried_over = login_required_reading(
    "carried_over", lambda session_token, **_: signed_in_and_carried_over(db.session,
                                                                          session_token))


def my_carried_over(cycle: AnyCycle) -> dict[str, CarriedOver]:
    """The signed-in person's passes carried over into the cycle in force: as read with
    them by `signed_in_with_carried_over`, else read now."""
    return kept_or_read("carried_over",
                        lambda: carried_over(db.session, current_user.id, cycle.id))
