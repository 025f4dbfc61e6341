"""Turning a posted question form into a response, with errors in the learner's words."""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MultiDict

from elearn.content.model import Question, QuestionKind


def _position(raw: str) -> int | None:
    # ASCII digits only: "²" and other Unicode digits pass isdigit() but not int().
    return int(raw) if raw.isascii() and raw.isdigit() else None


def positions_given(shown_order: Sequence[str], form: MultiDict) -> dict[str, int]:
    """The positions the learner chose for an ordering question's steps, even if invalid,
    so that a form sent back with an error keeps every choice."""
    given = {option_id: _position(form.get(f"position-{option_id}", ""))
             for option_id in shown_order}
    return {option_id: n for option_id, n in given.items() if n is not None}


def response_from_form(question: Question, shown_order: Sequence[str],
                       form: MultiDict) -> tuple[list[str], str | None]:
    """The response the form carries, or an error saying what is missing."""
    if question.kind is QuestionKind.ORDERING:
        positions: dict[str, int] = {}
        for option_id in shown_order:
            position = _position(form.get(f"position-{option_id}", ""))
            if position is None:
                return [], "Give every step a position."
            positions[option_id] = position
        if sorted(positions.values()) != list(range(1, len(shown_order) + 1)):
            return [], f"Give each step a different position, from 1 to {len(shown_order)}."
        return sorted(positions, key=positions.__getitem__), None
    chosen = form.getlist("answer")
    if not chosen:
        if question.kind is QuestionKind.MULTIPLE:
            return [], "Select at least one answer."
        return [], "Select an answer."
    return chosen, None
