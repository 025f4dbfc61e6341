"""The CSV exports: formula-safe cells, and small figures kept as words."""

from __future__ import annotations

import csv
import io

from elearn.content.model import Clause
from elearn.understanding.exports import questions_csv, understanding_csv
from elearn.understanding.report import (
    Breakdown,
    ClauseUnderstanding,
    OptionStat,
    QuestionStat,
    Share,
)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _question(prompt: str, answers: int) -> QuestionStat:
    return QuestionStat("u", "=HYPERLINK(\"x\")", "q", prompt, "single", "f" * 64, True,
                        answers, answers - 1, None,
                        (OptionStat("+44 1234", True, answers - 1),
                         OptionStat("@mention", False, 1)), ())


def test_question_statistics_cells_are_never_formulas():
    rows = _rows(questions_csv([_question("-1 is the answer?", 12)]))
    assert rows[1][0] == "'=HYPERLINK(\"x\")" and rows[1][2] == "'-1 is the answer?"
    assert rows[1][9].startswith("'+44 1234 (right): 11; @mention: fewer than 5")


def test_question_statistics_of_fewer_than_5_people_have_no_numbers():
    row = _rows(questions_csv([_question("Who?", 4)]))[1]
    assert row[5:8] == ["fewer than 5"] * 3
    assert row[9] == "'+44 1234 (right): fewer than 5; @mention: fewer than 5"


def test_understanding_cells_are_never_formulas_and_small_groups_stay_words():
    clause = Clause("terms.x", "=cmd|' /C calc'!A0", True, ("staff",), "terms")
    item = ClauseUnderstanding(clause, Share(6, 10, 10), Share(), (), {
        "school": (Breakdown("@School", Share(3, 4, 4), Share()),)})
    rows = _rows(understanding_csv([item], "Trust"))
    assert rows[1] == ["terms.x", "'=cmd|' /C calc'!A0", "All", "Trust", "60%", "no answers"]
    assert rows[2] == ["terms.x", "'=cmd|' /C calc'!A0", "School", "'@School", "fewer than 5",
                       "no answers"]
