"""Training content as frozen, typed values: the policy, its clauses, tracks and units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from elearn.content.kinds import KindSpec, QuestionKind, spec_for


@dataclass(frozen=True)
class Clause:
    id: str
    text: str
    requirement: bool
    tracks: tuple[str, ...]
    section_id: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str | None
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    trust: str
    version: str
    first_written: date
    review_date: date
    review_interval_months: int
    sections: tuple[Section, ...]

    @property
    def clauses(self) -> dict[str, Clause]:
        return {c.id: c for s in self.sections for c in s.clauses}


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    prompt: str
    cites: tuple[str, ...]
    options: tuple[Option, ...]
    explanation: str | None = None

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def spec(self) -> KindSpec:
        """Everything that depends on the question's kind (elearn.content.kinds)."""
        return spec_for(self.kind)

    @property
    def correct_ids(self) -> tuple[str, ...]:
        """The right answer as a response holds it (for ordering: the steps in order)."""
        return self.spec.correct_ids(self)

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    summary: str
    minutes: int
    scenario: str
    questions: tuple[Question, ...]
    draw: int
    fingerprint: str
    source: str = field(compare=False, default="")

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def question_map(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    description: str
    roles: tuple[str, ...]
    pass_mark: int
    unit_ids: tuple[str, ...]


class UnknownVersion(KeyError):
    """No policy version of that name is in modules/."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown policy version"


@dataclass(frozen=True)
class Content:
    """Everything in modules/, validated; fingerprint changes when any file does.

    `policies` holds every version of the policy, oldest first; the units are written
    for the newest. Which version is in force is decided by the latest recorded review,
    not here: ask for it with `policy_version`.
    """

    policies: tuple[Policy, ...]
    tracks: tuple[Track, ...]
    units: dict[str, Unit]
    fingerprint: str

    @property
    def policy(self) -> Policy:
        """The newest version in modules/: the one the units are written for."""
        return self.policies[-1]

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(p.version for p in self.policies)

    def policy_version(self, version: str) -> Policy:
        """The named version; UnknownVersion (with a message listing the known ones) if absent."""
        for policy in self.policies:
            if policy.version == version:
                return policy
        raise UnknownVersion(f"There is no policy version '{version}' in the content; "
                             f"the versions are: {', '.join(self.versions)}.")

    def previous_version(self, version: str) -> Policy | None:
        """The version before `version` in modules/, if any."""
        index = self.versions.index(version) if version in self.versions else -1
        return self.policies[index - 1] if index > 0 else None

    def units_citing(self, clause_id: str) -> list[tuple[Unit, list[Question]]]:
        """Each unit with the questions in it that cite `clause_id`."""
        found = []
        for unit in self.units.values():
            questions = [q for q in unit.questions if clause_id in q.cites]
            if questions:
                found.append((unit, questions))
        return found

    def track(self, track_id: str) -> Track | None:
        """The track with this id; None if the content has no such track (any longer)."""
        return next((t for t in self.tracks if t.id == track_id), None)

    def tracks_for_roles(self, roles: Iterable[str]) -> tuple[Track, ...]:
        """The tracks a person holding these roles must take."""
        return tuple(t for t in self.tracks if set(t.roles) & set(roles))

    def pass_mark_for(self, unit_id: str) -> int:
        """A unit in several tracks must meet the highest of their pass marks."""
        return max(t.pass_mark for t in self.tracks if unit_id in t.unit_ids)
