"""What changed between two versions of the policy, clause by clause. No Flask here.

Clause ids are stable across versions, so a clause is added or removed when its id is in
one version only, and changed when its normalised text differs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from elearn.content.model import Clause, Content, Policy


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Words:
    """A run of words in a changed clause: kept, inserted or deleted."""

    kind: str  # "same", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class CitingUnit:
    unit_id: str
    unit_title: str
    question_ids: tuple[str, ...]
    prompts: tuple[str, ...] = ()  # the questions' wording, in the same order


@dataclass(frozen=True)
class ClauseChange:
    clause_id: str
    change: Change
    section_title: str
    requirement: bool
    tracks: tuple[str, ...]  # the tracks a requirement binds (in the newer text if both)
    old_text: str | None
    new_text: str | None
    words: tuple[Words, ...]
    cited_by: tuple[CitingUnit, ...] = field(default=())


@dataclass(frozen=True)
class PolicyDiff:
    old_version: str
    new_version: str
    changes: tuple[ClauseChange, ...]

    def of(self, change: Change) -> tuple[ClauseChange, ...]:
        return tuple(c for c in self.changes if c.change is change)

    @property
    def retrain_clause_ids(self) -> frozenset[str]:
        """Changed or added clauses: a unit citing one is due again under targeted retraining."""
        return frozenset(c.clause_id for c in self.changes if c.change is not Change.REMOVED)


def normalise(text: str) -> str:
    """Clause text compared for change: whitespace and typographic quotes don't count."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def word_changes(old: str, new: str) -> tuple[Words, ...]:
    """The words of `new` against `old`, with deletions and insertions marked (difflib)."""
    old_words, new_words = normalise(old).split(" "), normalise(new).split(" ")
    runs: list[Words] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(Words("same", " ".join(old_words[a1:a2])))
            continue
        if op in ("delete", "replace"):
            runs.append(Words("delete", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            runs.append(Words("insert", " ".join(new_words[b1:b2])))
    return tuple(runs)


def _section_titles(policy: Policy) -> dict[str, str]:
    return {s.id: s.title for s in policy.sections}


def _citing(content: Content | None, clause_id: str) -> tuple[CitingUnit, ...]:
    if content is None:
        return ()
    return tuple(CitingUnit(unit.id, unit.title, tuple(q.id for q in questions),
                            tuple(q.prompt for q in questions))
                 for unit, questions in content.units_citing(clause_id))


def diff_policies(old: Policy, new: Policy, content: Content | None = None) -> PolicyDiff:
    """Added, removed and changed clauses from `old` to `new`, in the new version's order
    (removed clauses last), each with the units and questions of `content` that cite it."""
    old_clauses, new_clauses = old.clauses, new.clauses
    titles = {**_section_titles(old), **_section_titles(new)}
    changes: list[ClauseChange] = []

    def add(clause: Clause, change: Change, old_text: str | None, new_text: str | None,
            words: Iterable[Words]) -> None:
        changes.append(ClauseChange(clause.id, change, titles.get(clause.section_id, ""),
                                    clause.requirement, clause.tracks, old_text, new_text,
                                    tuple(words), _citing(content, clause.id)))

    for cid, clause in new_clauses.items():
        before = old_clauses.get(cid)
        if before is None:
            add(clause, Change.ADDED, None, clause.text, [Words("insert", clause.text)])
        elif normalise(before.text) != normalise(clause.text):
            add(clause, Change.CHANGED, before.text, clause.text,
                word_changes(before.text, clause.text))
    for cid, clause in old_clauses.items():
        if cid not in new_clauses:
            add(clause, Change.REMOVED, clause.text, None, [Words("delete", clause.text)])
    return PolicyDiff(old.version, new.version, tuple(changes))


def units_to_retrain(content: Content, diff: PolicyDiff) -> frozenset[str]:
    """Units with a question citing a changed or added clause: due again for everyone."""
    touched = diff.retrain_clause_ids
    return frozenset(unit.id for unit in content.units.values()
                     if any(set(q.cites) & touched for q in unit.questions))
