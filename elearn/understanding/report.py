"""From the totals to what the pages show: per question, and per requirement clause with its
breakdowns by school, role and track. Pure: content and rows in, frozen values out.

The small-numbers rule (measures.MIN_PEOPLE) is applied here, once, for every figure: each
person answers a question at most once in a cycle's first attempts, so the answers to one
question are also its people. A clause's figure adds up several questions; it is shown only
when at least 5 people answered one of them, so it is certainly about 5 people or more.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from elearn.content.kinds import QuestionKind
from elearn.content.model import Clause, Content, Policy, Question
from elearn.models import Role
from elearn.understanding.measures import (
    FEWER_THAN,
    Sums,
    count_text,
    discrimination,
    enough_people,
    facility,
    flags,
)
from elearn.understanding.queries import GroupRow, ResponseRow

ROLES = (Role.STAFF, Role.LEADER, Role.GOVERNOR)


@dataclass(frozen=True, slots=True)
class Share:
    """Right answers among first-attempt answers; `most` is the largest number of people
    behind any one question of it (the figure's people are at least that many)."""

    right: int = 0
    answers: int = 0
    most: int = 0

    @property
    def shown(self) -> bool:
        return enough_people(self.most)

    @property
    def percent(self) -> int | None:
        return round(100 * self.right / self.answers) if self.shown else None

    @property
    def text(self) -> str:
        if not self.answers:
            return "no answers"
        return f"{self.percent}%" if self.shown else FEWER_THAN


def share_of(per_question: Iterable[tuple[int, int]]) -> Share:
    """A share from (answers, right) per question."""
    right = answers = most = 0
    for n, r in per_question:
        right, answers, most = right + r, answers + n, max(most, n)
    return Share(right, answers, most)


def parse_response(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def option_counts(question: Question | None, rows: Iterable[ResponseRow]) -> Counter:
    """How often each option was chosen; for ordering, placed in its right position."""
    counts: Counter = Counter()
    right_order = question.correct_ids if question else ()
    for row in rows:
        chosen = parse_response(row.response)
        if question is not None and question.kind is QuestionKind.ORDERING:
            counts.update({o: row.answers for o, want in zip(chosen, right_order, strict=False)
                           if o == want})
        else:
            counts.update({o: row.answers for o in set(chosen)})
    return counts


@dataclass(frozen=True)
class OptionStat:
    text: str
    correct: bool
    chosen: int

    @property
    def chosen_text(self) -> str:
        return count_text(self.chosen)


@dataclass(frozen=True)
class QuestionStat:
    unit_id: str
    unit_title: str
    question_id: str
    prompt: str
    kind: str
    fingerprint: str
    current: bool  # the version of the unit learners are given now
    answers: int
    right: int
    discrimination: float | None
    options: tuple[OptionStat, ...]
    flags: tuple[str, ...]

    @property
    def shown(self) -> bool:
        return enough_people(self.answers)

    @property
    def answers_text(self) -> str:
        return count_text(self.answers)

    @property
    def facility(self) -> float | None:
        return facility(self.right, self.answers) if self.shown else None

    @property
    def facility_text(self) -> str:
        return f"{round(100 * self.facility)}%" if self.facility is not None else FEWER_THAN

    @property
    def discrimination_text(self) -> str:
        if not self.shown:
            return FEWER_THAN
        return "—" if self.discrimination is None else f"{self.discrimination:.2f}"


def _question_stat(content: Content, key: tuple[str, str, str],
                   rows: list[ResponseRow]) -> QuestionStat:
    unit_id, question_id, fingerprint = key
    unit = content.units.get(unit_id)
    question = unit.question_map.get(question_id) if unit else None
    sums = Sums()
    for row in rows:
        sums += Sums(row.answers, row.answers * row.mark, row.score_sum, row.score_sq_sum,
                     row.score_sum * row.mark)
    counts = option_counts(question, rows)
    options = tuple(OptionStat(o.text, o.correct, counts.get(o.id, 0))
                    for o in question.options) if question else tuple(
        OptionStat(o, False, n) for o, n in sorted(counts.items()))
    unchosen = sum(1 for o in options if not o.correct and o.chosen == 0) if (
        question and question.kind is not QuestionKind.ORDERING) else 0
    r = discrimination(sums)
    shown = enough_people(sums.n)
    return QuestionStat(
        unit_id, unit.title if unit else unit_id, question_id,
        question.prompt if question else "(no longer in the content)",
        question.kind.value if question else "", fingerprint,
        bool(unit and unit.fingerprint == fingerprint), sums.n, sums.right,
        r if shown else None, options,
        tuple(flags(sums.n, facility(sums.right, sums.n), r, unchosen)) if shown else ())


def question_stats(content: Content, rows: Iterable[ResponseRow]) -> list[QuestionStat]:
    """One entry per question and unit version, in the order of the units and questions."""
    grouped: dict[tuple[str, str, str], list[ResponseRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.unit_id, row.question_id, row.fingerprint)].append(row)
    order = {u: i for i, u in enumerate(content.units)}
    stats = [_question_stat(content, key, rows) for key, rows in grouped.items()]
    return sorted(stats, key=lambda s: (order.get(s.unit_id, len(order)), s.unit_id,
                                        not s.current, s.question_id, s.fingerprint))


# Understanding by clause ------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    label: str
    now: Share
    before: Share


@dataclass(frozen=True)
class QuestionBehind:
    unit_title: str
    prompt: str
    share: Share
    wrong_option: str | None  # the wrong answer most often given
    wrong_count: int

    @property
    def wrong_count_text(self) -> str:
        return count_text(self.wrong_count)


@dataclass(frozen=True)
class ClauseUnderstanding:
    clause: Clause
    now: Share
    before: Share
    questions: tuple[QuestionBehind, ...]
    by: Mapping[str, tuple[Breakdown, ...]] = field(default_factory=dict)


def _clauses_of(content: Content, policy: Policy) -> dict[tuple[str, str], tuple[str, ...]]:
    """Per (unit, question): the requirement clauses of `policy` it cites."""
    clauses = policy.clauses
    return {(u.id, q.id): tuple(c for c in q.cites if c in clauses and clauses[c].requirement)
            for u in content.units.values() for q in u.questions}


def _dimensions(row: GroupRow, tracks_of_unit: Mapping[str, tuple[str, ...]]) -> list:
    if row.school_id is not None:
        return [("school", row.school_id)]
    found = [("trust", "")]
    found += [("role", role.value) for role, held in
              zip(ROLES, (row.staff, row.leader, row.governor), strict=True) if held]
    return found + [("track", track_id) for track_id in tracks_of_unit.get(row.unit_id, ())]


def tally_groups(content: Content, policy: Policy, rows: Iterable[GroupRow],
                 cycle_ids: tuple[int, int | None]) -> dict[tuple, Share]:
    """(cycle "now"/"before", clause, dimension, key) -> Share."""
    cited = _clauses_of(content, policy)
    tracks_of_unit: dict[str, tuple[str, ...]] = defaultdict(tuple)
    for track in content.tracks:
        for unit_id in track.unit_ids:
            tracks_of_unit[unit_id] += (track.id,)
    which = {cycle_ids[0]: "now", cycle_ids[1]: "before"}
    acc: dict[tuple, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    for row in rows:
        clauses = cited.get((row.unit_id, row.question_id), ())
        if not clauses:
            continue
        question = (row.unit_id, row.question_id)
        for dimension, key in _dimensions(row, tracks_of_unit):
            for clause_id in clauses:
                counts = acc[(which[row.cycle_id], clause_id, dimension, key)].setdefault(
                    question, [0, 0])
                counts[0] += row.answers
                counts[1] += row.right
    return {k: share_of(map(tuple, per_question.values())) for k, per_question in acc.items()}
