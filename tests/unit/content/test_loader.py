import shutil
from pathlib import Path

import pytest

from elearn.content import ContentError, load_content
from elearn.content.coverage import coverage, gaps

FIXTURE = Path(__file__).parents[2] / "fixtures" / "content"
REAL = Path(__file__).parents[3] / "modules"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _problems(directory: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_content(directory)
    return str(info.value)


def test_fixture_content_loads():
    content = load_content(FIXTURE)
    assert set(content.units) == {"friends", "approval"}
    assert content.track("staff").pass_mark == 80


def test_bad_yaml_names_the_file_and_line(content_dir: Path):
    (content_dir / "units" / "friends.yaml").write_text("id: friends\nquestions: [\n")
    message = _problems(content_dir)
    assert "friends.yaml" in message and "not valid YAML" in message and "line" in message


def test_unknown_clause_id_names_the_question(content_dir: Path):
    _edit(content_dir / "units" / "approval.yaml", "cites: [terms.approval]\n    options:\n"
          "      - {id: head", "cites: [terms.nonexistent]\n    options:\n      - {id: head")
    message = _problems(content_dir)
    assert "approval.yaml: question 'who': cites unknown clause id 'terms.nonexistent'" in message


def test_question_with_no_correct_answer_is_refused(content_dir: Path):
    _edit(content_dir / "units" / "approval.yaml", "The head teacher, correct: true",
          "The head teacher, correct: false")
    assert "question 'who': a single choice question needs exactly one correct option" in \
        _problems(content_dir)


def test_multiple_response_with_no_correct_answer_is_refused(content_dir: Path):
    path = content_dir / "units" / "friends.yaml"
    path.write_text(path.read_text().replace("One, correct: true", "One, correct: false")
                    .replace("Two, correct: true", "Two, correct: false"))
    assert "question 'multi': has no correct answer" in _problems(content_dir)


def test_duplicate_question_id_is_refused(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml", "id: extra", "id: single")
    assert "friends.yaml: question 'single': duplicate id" in _problems(content_dir)


def test_duplicate_clause_id_is_refused(content_dir: Path):
    _edit(content_dir / "policy" / "policy.yaml", "id: terms.context", "id: terms.approval")
    assert "clause 'terms.approval': duplicate id" in _problems(content_dir)


def test_ordering_question_with_one_step_is_refused(content_dir: Path):
    path = content_dir / "units" / "approval.yaml"
    text = path.read_text()
    text = text.replace("      - {id: approve, text: Get approval, feedback: Second.}\n", "")
    text = text.replace("      - {id: launch, text: Set up the account, feedback: Last.}\n", "")
    path.write_text(text)
    assert "question 'order': an ordering question needs at least 2 steps, found 1" in \
        _problems(content_dir)


def test_unknown_unit_in_a_track_is_refused(content_dir: Path):
    _edit(content_dir / "tracks.yaml", "units: [approval]", "units: [approval, ghost]")
    assert "tracks.yaml: track 'governor': unknown unit 'ghost'" in _problems(content_dir)


def test_every_problem_is_listed_not_only_the_first(content_dir: Path):
    _edit(content_dir / "units" / "friends.yaml", "id: extra", "id: single")
    _edit(content_dir / "tracks.yaml", "units: [approval]", "units: [approval, ghost]")
    message = _problems(content_dir)
    assert "duplicate id" in message and "unknown unit 'ghost'" in message


def test_fingerprint_is_stable_across_loads():
    assert load_content(FIXTURE).units["friends"].fingerprint == \
        load_content(FIXTURE).units["friends"].fingerprint


def test_fingerprint_ignores_yaml_formatting_but_not_meaning(content_dir: Path):
    before = load_content(content_dir).units["friends"].fingerprint
    path = content_dir / "units" / "friends.yaml"
    path.write_text("# a comment\n" + path.read_text())
    assert load_content(content_dir).units["friends"].fingerprint == before
    _edit(path, "What do you do?", "What should you do?")
    assert load_content(content_dir).units["friends"].fingerprint != before


def test_editing_one_unit_leaves_the_others_fingerprint_alone(content_dir: Path):
    before = load_content(content_dir).units["approval"].fingerprint
    _edit(content_dir / "units" / "friends.yaml", "What do you do?", "What now?")
    assert load_content(content_dir).units["approval"].fingerprint == before


def test_coverage_lists_the_questions_citing_each_clause():
    rows = {(r.track_id, r.clause_id): r for r in coverage(load_content(FIXTURE))}
    assert rows[("governor", "terms.approval")].questions == ("approval/order", "approval/who")
    assert ("governor", "terms.no-friends") not in rows


def test_coverage_finds_a_requirement_no_question_of_the_track_assesses(content_dir: Path):
    _edit(content_dir / "policy" / "policy.yaml", "tracks: [staff]\n",
          "tracks: [staff, governor]\n")
    found = gaps(load_content(content_dir))
    assert [(g.track_id, g.clause_id) for g in found] == [("governor", "terms.no-friends")]


def test_the_shipped_content_loads_and_has_no_coverage_gaps():
    content = load_content(REAL)
    assert not gaps(content)
    assert len(content.units) >= 12
    assert all(q.cites for u in content.units.values() for q in u.questions)
    assert {t.id for t in content.tracks} == {"staff", "governor", "leader"}
