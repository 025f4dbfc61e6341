"""Turning a posted question form into a response, with errors in the learner's words.

How each kind reads its form is declared in elearn.content.kinds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from elearn.content.model import Question


def response_from_form(question: Question, shown_order: Sequence[str],
                       form: MultiDict) -> tuple[list[str], str | None]:
    """The response the form carries, or an error saying what is missing."""
    return question.spec.read_form(question, shown_order, form)


def kept_input(question: Question, shown_order: Sequence[str],
               form: MultiDict) -> dict[str, Any]:
    """What the question page shows again from a form sent back with an error, so that
    every choice the learner made is kept (for ordering: the positions, even if invalid)."""
    return question.spec.kept_input(shown_order, form)
