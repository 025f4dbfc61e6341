"""Question kinds: each kind says, in one class here, everything that differs between kinds.

A kind declares how its questions are validated when content loads, which answer is right,
how the learner's form is read, how a stored response is checked, how a response is graded,
how its options are shuffled for an attempt, and which template shows it (the macros
`hint`, `inputs`, `check_answer`, `your_answer` and `right_answer` in quiz/kinds/<kind>.html).

Adding a kind: a member of `QuestionKind`, a subclass of `KindSpec` in `KINDS`, and its
template. Nothing else branches on the kind.

This lives in elearn.content, not elearn.quiz, because the loader validates with it and
`Question.correct_ids` asks it: content must not import the quiz package (the quiz imports
content). It stays pure: no Flask, no database. Form data is anything with `get` and
`getlist` (a werkzeug MultiDict in the app).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:  # model.py imports this module; the types are for reading only
    from elearn.content.model import Option, Question


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    ORDERING = "ordering"


class FormData(Protocol):
    """The part of a posted form a kind reads (werkzeug's MultiDict has both)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


class ResponseError(ValueError):
    """A response that does not fit the question; the message says what to fix."""


class KindSpec:
    """The behaviour every kind shares: choosing among options, right when exact."""

    kind: ClassVar[QuestionKind]
    #: What the content calls this kind in its problems ("a single choice question").
    name: ClassVar[str]

    @property
    def template(self) -> str:
        """The template holding this kind's macros for the question, check and result pages."""
        return f"quiz/kinds/{self.kind.value}.html"

    # Content -------------------------------------------------------------------------

    def option_problem(self, raw_option: Mapping[str, Any]) -> str | None:
        """What is wrong with one option as written in the YAML, if anything."""
        return None

    def problems(self, options: Sequence[Option]) -> list[str]:
        """What is wrong with the question's options as a whole."""
        return []

    def correct_ids(self, question: Question) -> tuple[str, ...]:
        """The right answer, as a response would hold it."""
        return tuple(o.id for o in question.options if o.correct)

    # The attempt ---------------------------------------------------------------------

    def shuffle(self, option_ids: Sequence[str], rng: random.Random) -> list[str]:
        """The order the options are shown in for one attempt."""
        ids = list(option_ids)
        rng.shuffle(ids)
        return ids

    def read_form(self, question: Question, shown_order: Sequence[str],
                  form: FormData) -> tuple[list[str], str | None]:
        """The response the form carries, or an error in the learner's words."""
        chosen = form.getlist("answer")
        if not chosen:
            return [], "Select an answer."
        return chosen, None

    def kept_input(self, shown_order: Sequence[str], form: FormData) -> dict[str, Any]:
        """What the question page shows again, beyond the response, when the form comes
        back with an error (template variables)."""
        return {}

    def form_fields(self, response: Sequence[str],
                    shown_order: Sequence[str]) -> list[tuple[str, str]]:
        """The form fields a learner sends to give `response`: the inverse of read_form."""
        return [("answer", option_id) for option_id in response]

    def check(self, question: Question, chosen: tuple[str, ...]) -> tuple[str, ...]:
        """Refuse (ResponseError) a response of the question's own options that does not
        fit the kind; return it normalised for storing."""
        if len(chosen) != 1:
            raise ResponseError("Choose one answer.")
        return chosen

    def is_correct(self, question: Question, response: Sequence[str]) -> bool:
        """Whether a response earns the question's mark: only an exact answer does."""
        return tuple(response) == question.correct_ids


class SingleChoice(KindSpec):
    kind = QuestionKind.SINGLE
    name = "a single choice question"

    def problems(self, options: Sequence[Option]) -> list[str]:
        found = []
        correct = [o for o in options if o.correct]
        if len(options) < 3:
            found.append(f"{self.name} needs at least 3 options")
        if len(correct) != 1:
            found.append(f"{self.name} needs exactly one correct option, found {len(correct)}")
        return found


class MultipleResponse(KindSpec):
    """Right only with exactly the set of correct options, no more and no fewer."""

    kind = QuestionKind.MULTIPLE
    name = "a multiple response question"

    def problems(self, options: Sequence[Option]) -> list[str]:
        found = []
        if len(options) < 3:
            found.append(f"{self.name} needs at least 3 options")
        if not any(o.correct for o in options):
            found.append("has no correct answer")
        return found

    def read_form(self, question: Question, shown_order: Sequence[str],
                  form: FormData) -> tuple[list[str], str | None]:
        chosen = form.getlist("answer")
        if not chosen:
            return [], "Select at least one answer."
        return chosen, None

    def check(self, question: Question, chosen: tuple[str, ...]) -> tuple[str, ...]:
        if not chosen:
            raise ResponseError("Choose at least one answer.")
        if len(set(chosen)) != len(chosen):
            raise ResponseError("Each answer can be chosen only once.")
        # Store in the question's order so an answer reads the same however it was sent.
        return tuple(o for o in question.option_ids if o in set(chosen))

    def is_correct(self, question: Question, response: Sequence[str]) -> bool:
        return len(set(response)) == len(response) and set(response) == set(
            question.correct_ids)


class TrueFalse(KindSpec):
    kind = QuestionKind.TRUE_FALSE
    name = "a true/false question"

    def problems(self, options: Sequence[Option]) -> list[str]:
        if sorted(o.id for o in options) != ["false", "true"]:
            return [f"{self.name} needs options 'true' and 'false'"]
        if sum(o.correct for o in options) != 1:
            return [f"{self.name} needs exactly one correct option"]
        return []

    def shuffle(self, option_ids: Sequence[str], rng: random.Random) -> list[str]:
        return ["true", "false"]  # True before False reads naturally; never shuffled


def _position(raw: str) -> int | None:
    # ASCII digits only: "²" and other Unicode digits pass isdigit() but not int().
    return int(raw) if raw.isascii() and raw.isdigit() else None


class Ordering(KindSpec):
    """Steps listed in the right order in the content; right only with every step in place.
    The form gives each step a position; the response is the steps in the chosen order."""

    kind = QuestionKind.ORDERING
    name = "an ordering question"

    def option_problem(self, raw_option: Mapping[str, Any]) -> str | None:
        if "correct" in raw_option:
            return "ordering steps are listed in order; drop 'correct'"
        return None

    def problems(self, options: Sequence[Option]) -> list[str]:
        if len(options) < 2:
            return [f"{self.name} needs at least 2 steps, found {len(options)}"]
        return []

    def correct_ids(self, question: Question) -> tuple[str, ...]:
        return question.option_ids

    def shuffle(self, option_ids: Sequence[str], rng: random.Random) -> list[str]:
        ids = super().shuffle(option_ids, rng)
        if len(ids) > 1 and tuple(ids) == tuple(option_ids):
            ids.reverse()  # never present the steps already in the right order
        return ids

    def read_form(self, question: Question, shown_order: Sequence[str],
                  form: FormData) -> tuple[list[str], str | None]:
        positions: dict[str, int] = {}
        for option_id in shown_order:
            position = _position(form.get(f"position-{option_id}", ""))
            if position is None:
                return [], "Give every step a position."
            positions[option_id] = position
        if sorted(positions.values()) != list(range(1, len(shown_order) + 1)):
            return [], f"Give each step a different position, from 1 to {len(shown_order)}."
        return sorted(positions, key=positions.__getitem__), None

    def kept_input(self, shown_order: Sequence[str], form: FormData) -> dict[str, Any]:
        """The positions chosen, even if invalid, so the form keeps every choice."""
        given = {option_id: _position(form.get(f"position-{option_id}", ""))
                 for option_id in shown_order}
        return {"positions": {option_id: n for option_id, n in given.items() if n is not None}}

    def form_fields(self, response: Sequence[str],
                    shown_order: Sequence[str]) -> list[tuple[str, str]]:
        place = {option_id: n for n, option_id in enumerate(response, 1)}
        return [(f"position-{option_id}", str(place[option_id])) for option_id in shown_order
                if option_id in place]

    def check(self, question: Question, chosen: tuple[str, ...]) -> tuple[str, ...]:
        if sorted(chosen) != sorted(question.option_ids):
            raise ResponseError("Put every step in a different position.")
        return chosen


KINDS: dict[QuestionKind, KindSpec] = {
    spec.kind: spec for spec in (SingleChoice(), MultipleResponse(), TrueFalse(), Ordering())}


def spec_for(kind: QuestionKind) -> KindSpec:
    return KINDS[kind]
