"""The understanding and question statistics as CSV, every text cell formula-safe (the same
rule as the people list's exports). Figures about fewer than 5 people stay "fewer than 5"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from elearn.hr.exports import safe_cell
from elearn.understanding.clauses import DIMENSIONS
from elearn.understanding.report import ClauseUnderstanding, QuestionStat
from elearn.wording import slug

UNDERSTANDING_HEADER = ("Clause", "Clause text", "Breakdown", "Group",
                        "Right first time, this cycle", "Right first time, cycle before")
QUESTIONS_HEADER = ("Unit", "Question", "Prompt", "Unit version", "Version in use",
                    "First-attempt answers", "Facility (right first time)",
                    "Discrimination", "Flags", "Options chosen")


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return out.getvalue()


def understanding_rows(clauses: Iterable[ClauseUnderstanding], place: str):
    for item in clauses:
        clause = item.clause
        yield (clause.id, clause.text, "All", place, item.now.text, item.before.text)
        for dimension, title in DIMENSIONS:
            for part in item.by.get(dimension, ()):
                yield (clause.id, clause.text, title, part.label, part.now.text,
                       part.before.text)


def understanding_csv(clauses: Iterable[ClauseUnderstanding], place: str) -> str:
    return _csv(UNDERSTANDING_HEADER, understanding_rows(clauses, place))


def question_rows(stats: Iterable[QuestionStat]):
    for s in stats:
        options = "; ".join(f"{o.text}{' (right)' if o.correct else ''}: "
                            f"{o.chosen_text if s.shown else 'fewer than 5'}"
                            for o in s.options)
        yield (s.unit_title, s.question_id, s.prompt, s.fingerprint[:12],
               "yes" if s.current else "no", s.answers_text, s.facility_text,
               s.discrimination_text, "; ".join(s.flags), options)


def questions_csv(stats: Iterable[QuestionStat]) -> str:
    return _csv(QUESTIONS_HEADER, question_rows(stats))


def filename(what: str, place: str | None, today: date) -> str:
    return f"{what}-{slug(place) if place else 'trust'}-on-{today.isoformat()}.csv"
