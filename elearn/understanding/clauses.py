"""Understanding by clause: every requirement clause cited by a question, its share of right
first-attempt answers now and in the cycle before, broken down by school, role and track,
most misunderstood first, with the questions behind it. Pure: no Flask, no database."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from elearn.content.kinds import QuestionKind
from elearn.content.model import Content, Policy
from elearn.models import ROLE_LABELS
from elearn.understanding.queries import GroupRow, ResponseRow
from elearn.understanding.report import (
    ROLES,
    Breakdown,
    ClauseUnderstanding,
    QuestionBehind,
    Share,
    parse_response,
    share_of,
    tally_groups,
)

DIMENSIONS = (("school", "School"), ("role", "Role"), ("track", "Track"))


def questions_behind(content: Content,
                     rows: Iterable[ResponseRow]) -> dict[tuple[str, str], QuestionBehind]:
    """Per (unit, question) in the current content: its share right and the wrong answer
    most often given (an option; for ordering, "the steps in another order")."""
    answers: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    wrong: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        key = (row.unit_id, row.question_id)
        answers[key][0] += row.answers
        answers[key][1] += row.answers * row.mark
        if not row.mark:
            wrong[key].update({o: row.answers for o in set(parse_response(row.response))})
    found = {}
    for unit in content.units.values():
        for question in unit.questions:
            key = (unit.id, question.id)
            n, right = answers.get(key, (0, 0))
            picked = [(o, c) for o, c in wrong[key].most_common()
                      if o not in question.correct_ids]
            text, count = None, 0
            if question.kind is QuestionKind.ORDERING and n > right:
                text, count = "the steps in another order", n - right
            elif picked:
                text, count = question.option(picked[0][0]).text, picked[0][1]
            found[key] = QuestionBehind(unit.title, question.prompt, share_of([(n, right)]),
                                        text, count)
    return found


def _labels(content: Content, school_names: Mapping[int, str]) -> dict[str, list]:
    """Per dimension, (key, label) in the order the pages list them."""
    return {"school": sorted(school_names.items(), key=lambda item: item[1]),
            "role": [(r.value, ROLE_LABELS[r]) for r in ROLES],
            "track": [(t.id, t.title) for t in content.tracks]}


def _sort_key(item: ClauseUnderstanding) -> tuple:
    """Most misunderstood first; clauses whose figure cannot be shown last."""
    percent = item.now.percent
    return (percent is None, percent if percent is not None else 0, item.clause.id)


def understanding(content: Content, policy: Policy, groups: Iterable[GroupRow],
                  responses: Iterable[ResponseRow], cycle_ids: tuple[int, int | None],
                  school_names: Mapping[int, str]) -> list[ClauseUnderstanding]:
    """Every requirement clause of `policy` some question cites, most misunderstood first.
    `responses` are the current cycle's; `school_names` the schools in the viewer's scope."""
    shares = tally_groups(content, policy, groups, cycle_ids)
    behind = questions_behind(content, responses)
    labels = _labels(content, school_names)
    none = Share()
    found = []
    for clause in policy.clauses.values():
        citing = [(unit.id, q.id) for unit, questions in content.units_citing(clause.id)
                  for q in questions]
        if not clause.requirement or not citing:
            continue
        by = {dimension: tuple(
            Breakdown(label, shares.get(("now", clause.id, dimension, key), none),
                      shares.get(("before", clause.id, dimension, key), none))
            for key, label in labels[dimension]) for dimension, _ in DIMENSIONS}
        questions = sorted((behind[key] for key in citing if key in behind),
                           key=lambda q: (q.share.percent is None, q.share.percent or 0))
        found.append(ClauseUnderstanding(
            clause, shares.get(("now", clause.id, "trust", ""), none),
            shares.get(("before", clause.id, "trust", ""), none), tuple(questions), by))
    return sorted(found, key=_sort_key)


# The chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    plot_width: int
    row_height: int

    @property
    def ticks(self) -> tuple[tuple[int, float], ...]:
        return tuple((p, self.label_width + self.plot_width * p / 100)
                     for p in (0, 25, 50, 75, 100))


def chart(items: Iterable[ClauseUnderstanding], most: int = 10) -> Chart:
    """Horizontal bars for the `most` misunderstood clauses whose figure can be shown."""
    shown = [i for i in items if i.now.percent is not None][:most]
    label_width, plot_width, row = 270, 400, 28
    bars = tuple(Bar(i.clause.id, i.now.percent or 0, 10 + n * row,
                     plot_width * (i.now.percent or 0) / 100) for n, i in enumerate(shown))
    return Chart(bars, label_width + plot_width + 60, 10 + len(bars) * row + 30,
                 label_width, plot_width, row)
