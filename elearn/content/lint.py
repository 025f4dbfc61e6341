"""Does the content test understanding rather than test-wiseness? Rules a checker can apply.

`flask content check` says whether the files are valid; this says whether the questions
are fair. A learner who has not read the policy should not be able to pass by picking the
longest option, by answering "False", or by ticking every box but the odd one out; every
clause a feedback relies on is one the question cites (so the learner sees it quoted);
and every requirement a unit assesses is in every attempt's draw.

Each rule is a plain function of the content; the command only prints the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from elearn.content.drawing import covering_draws, smallest_cover, unit_requirements
from elearn.content.model import Clause, Content, Question, QuestionKind, Track, Unit

# The limits the Trust agreed (issue 20). A key that is the longest option is fine now
# and then; in more than about a third of questions it becomes a tell.
MAX_LONGEST_KEY_SHARE = 0.35
TRUE_SHARE_RANGE = (0.40, 0.60)
MIN_SEVERAL_WRONG_SHARE = 0.50
MIN_SINGLE_OPTIONS = 3
MIN_ORDERING_STEPS = 4
# Words in a row that a feedback shares with a clause before it counts as quoting it; a
# quotation in marks counts from this many words.
QUOTE_RUN = 6
MIN_MARKED_QUOTE = 3

RULES = {
    "longest-key": f"at most {MAX_LONGEST_KEY_SHARE:.0%} of a track's single-choice "
                   "questions have the longest option as the key",
    "true-false-balance": f"{TRUE_SHARE_RANGE[0]:.0%} to {TRUE_SHARE_RANGE[1]:.0%} of a "
                          "track's true/false questions are keyed True",
    "select-all-wrong": f"at least {MIN_SEVERAL_WRONG_SHARE:.0%} of a track's select-all "
                        "questions have more than one wrong option",
    "single-options": f"a single-choice question has at least {MIN_SINGLE_OPTIONS} options",
    "ordering-steps": f"an ordering question has at least {MIN_ORDERING_STEPS} steps",
    "uncited-clause": "every clause a feedback quotes or names is among the question's cites",
    "draw-coverage": "every requirement a unit assesses is in every possible draw",
}


@dataclass(frozen=True)
class Breach:
    rule: str
    question: str  # "unit-id/question-id", or "unit-id" for a rule about the whole unit
    detail: str
    track: str | None = None


@dataclass(frozen=True)
class TrackFigures:
    track_id: str
    singles: int
    longest_keys: int
    true_false: int
    true_keys: int
    selects: int
    several_wrong: int
    orderings: int

    @property
    def longest_key_share(self) -> float:
        return self.longest_keys / self.singles if self.singles else 0.0

    @property
    def true_share(self) -> float | None:
        return self.true_keys / self.true_false if self.true_false else None

    @property
    def several_wrong_share(self) -> float | None:
        return self.several_wrong / self.selects if self.selects else None


@dataclass(frozen=True)
class LintReport:
    figures: tuple[TrackFigures, ...]
    breaches: tuple[Breach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches

    def question_ids(self) -> list[str]:
        """The questions (or units) breaking a rule, each once, in order."""
        return list(dict.fromkeys(b.question for b in self.breaches))


def key_is_longest(question: Question) -> bool:
    """The one correct option is strictly longer than every other option."""
    key = next(o for o in question.options if o.correct)
    return all(len(key.text) > len(o.text) for o in question.options if o is not key)


def keyed_true(question: Question) -> bool:
    return question.correct_ids == ("true",)


def wrong_options(question: Question) -> int:
    return sum(1 for o in question.options if not o.correct)


_WORD = re.compile(r"[a-z0-9]+")
_MARKED = re.compile(r"[“\"]([^”\"]+)[”\"]")


# The people the policy names for approvals are a title, not a quotation: "the head
# teacher or Director of schools" in a feedback does not quote the clause that has it.
_TITLE = re.compile(r"head ?teachers?\s*(?:or|/|and)?\s*(?:the\s+)?directors? of schools")


def _words(text: str) -> list[str]:
    text = _TITLE.sub("approver", " ".join(text.lower().replace("’", "'").split()))
    return _WORD.findall(text.replace("'", ""))


def _runs(words: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + length]) for i in range(len(words) - length + 1)}


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def clauses_relied_on(question: Question, clauses: dict[str, Clause]) -> set[str]:
    """Clauses a feedback or the explanation quotes (in marks, or {QUOTE_RUN} words in a row)
    or names by id, and that no cited clause also contains."""
    texts = [o.feedback for o in question.options]
    if question.explanation:
        texts.append(question.explanation)
    clause_words = {cid: _words(c.text) for cid, c in clauses.items()}
    cited_words = [clause_words[cid] for cid in question.cites if cid in clause_words]
    cited_runs = set().union(*(_runs(w, QUOTE_RUN) for w in cited_words)) if cited_words \
        else set()
    found: set[str] = set()
    for text in texts:
        for cid in clauses:
            if cid in text:
                found.add(cid)
        words = _words(text)
        for run in _runs(words, QUOTE_RUN) - cited_runs:
            found.update(cid for cid, cw in clause_words.items()
                         if _contains(cw, list(run)))
        for quote in _MARKED.findall(text):
            quoted = _words(quote)
            if len(quoted) < MIN_MARKED_QUOTE or any(_contains(cw, quoted)
                                                     for cw in cited_words):
                continue
            found.update(cid for cid, cw in clause_words.items() if _contains(cw, quoted))
    return found - set(question.cites)


def _track_questions(content: Content, track: Track) -> Iterable[tuple[Unit, Question]]:
    for uid in track.unit_ids:
        unit = content.units[uid]
        for q in unit.questions:
            yield unit, q


def _track_rules(content: Content, track: Track) -> tuple[TrackFigures, list[Breach]]:
    pairs = list(_track_questions(content, track))
    singles = [(u, q) for u, q in pairs if q.kind is QuestionKind.SINGLE]
    longest = [(u, q) for u, q in singles if key_is_longest(q)]
    tfs = [(u, q) for u, q in pairs if q.kind is QuestionKind.TRUE_FALSE]
    trues = [(u, q) for u, q in tfs if keyed_true(q)]
    selects = [(u, q) for u, q in pairs if q.kind is QuestionKind.MULTIPLE]
    several = [(u, q) for u, q in selects if wrong_options(q) > 1]
    figures = TrackFigures(track.id, len(singles), len(longest), len(tfs), len(trues),
                           len(selects), len(several),
                           sum(1 for _, q in pairs if q.kind is QuestionKind.ORDERING))
    breaches: list[Breach] = []
    if singles and figures.longest_key_share > MAX_LONGEST_KEY_SHARE:
        breaches += [Breach("longest-key", f"{u.id}/{q.id}",
                            f"the key is the longest option ({len(longest)} of {len(singles)} "
                            f"in the track)", track.id) for u, q in longest]
    share = figures.true_share
    if share is not None and not TRUE_SHARE_RANGE[0] <= share <= TRUE_SHARE_RANGE[1]:
        majority = trues if share > TRUE_SHARE_RANGE[1] else [p for p in tfs if p not in trues]
        word = "True" if share > TRUE_SHARE_RANGE[1] else "False"
        breaches += [Breach("true-false-balance", f"{u.id}/{q.id}",
                            f"keyed {word}, like {len(majority)} of {len(tfs)} in the track",
                            track.id) for u, q in majority]
    wrong_share = figures.several_wrong_share
    if wrong_share is not None and wrong_share < MIN_SEVERAL_WRONG_SHARE:
        breaches += [Breach("select-all-wrong", f"{u.id}/{q.id}",
                            f"only {wrong_options(q)} wrong option ({len(several)} of "
                            f"{len(selects)} in the track have more)", track.id)
                     for u, q in selects if wrong_options(q) <= 1]
    return figures, breaches


def _question_rules(content: Content, unit: Unit) -> list[Breach]:
    clauses = {cid: c for p in content.policies for cid, c in p.clauses.items()}
    breaches: list[Breach] = []
    for q in unit.questions:
        where = f"{unit.id}/{q.id}"
        if q.kind is QuestionKind.SINGLE and len(q.options) < MIN_SINGLE_OPTIONS:
            breaches.append(Breach("single-options", where, f"{len(q.options)} options"))
        if q.kind is QuestionKind.ORDERING and len(q.options) < MIN_ORDERING_STEPS:
            breaches.append(Breach("ordering-steps", where, f"{len(q.options)} steps"))
        missing = clauses_relied_on(q, clauses)
        if missing:
            breaches.append(Breach("uncited-clause", where,
                                   f"feedback relies on {', '.join(sorted(missing))}, "
                                   f"which it does not cite"))
    required = unit_requirements(content, unit)
    questions = list(unit.questions)
    if unit.draw < len(questions) and not covering_draws(questions, unit.draw, required):
        least = smallest_cover(questions, required)
        citing = [q.id for q in questions if set(q.cites) & required]
        breaches.append(Breach(
            "draw-coverage", unit.id,
            f"draws {unit.draw} of {len(questions)} but covering its {len(required)} "
            f"requirements needs {least} (questions citing them: {', '.join(citing)})"))
    return breaches


def lint(content: Content) -> LintReport:
    """Apply every rule to every track and unit; the report lists what breaks which rule."""
    figures: list[TrackFigures] = []
    breaches: list[Breach] = []
    for track in content.tracks:
        track_figures, track_breaches = _track_rules(content, track)
        figures.append(track_figures)
        breaches += track_breaches
    for unit in content.units.values():
        breaches += _question_rules(content, unit)
    return LintReport(tuple(figures), tuple(breaches))
