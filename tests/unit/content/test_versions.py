"""Versions of the policy: loading several, and what changed between two."""

from pathlib import Path

import pytest
from helpers import V2_POLICY, write_versioned_content

from elearn.content import ContentError, load_content
from elearn.content.coverage import gaps
from elearn.content.model import UnknownVersion
from elearn.content.versions import Change, diff_policies, units_to_retrain, word_changes


@pytest.fixture
def content_path(tmp_path: Path) -> Path:
    return write_versioned_content(tmp_path / "content")


@pytest.fixture
def content(content_path: Path):
    return load_content(content_path)


def test_every_version_loads_oldest_first_and_the_newest_is_the_units_policy(content):
    assert content.versions == ("v1", "v2")
    assert content.policy.version == "v2"
    assert "terms.context" in content.policy_version("v1").clauses


def test_versions_sort_number_by_number_not_as_text(content_path: Path):
    (content_path / "policy" / "policy-v10.yaml").write_text(
        V2_POLICY.replace('version: "v2"', 'version: "v10"'))
    assert load_content(content_path).versions == ("v1", "v2", "v10")


def test_diff_finds_exactly_the_added_removed_and_changed_clauses(content):
    diff = diff_policies(content.policy_version("v1"), content.policy_version("v2"), content)
    assert {c.clause_id for c in diff.of(Change.ADDED)} == {"terms.reporting"}
    assert {c.clause_id for c in diff.of(Change.REMOVED)} == {"terms.context"}
    assert {c.clause_id for c in diff.of(Change.CHANGED)} == {"terms.no-friends"}
    assert len(diff.changes) == 3  # terms.approval differs only in spacing


def test_typographic_quotes_and_spacing_are_not_a_change():
    assert word_changes("the head's  approval", "the head\u2019s approval")[0].kind == "same"
    assert len(word_changes("the head's  approval", "the head\u2019s approval")) == 1


def test_changed_words_are_marked_as_deleted_and_inserted():
    runs = word_changes("No staff member should have a pupil as a friend.",
                        "No staff member should have a pupil or a former pupil as a friend.")
    assert [(r.kind, r.text) for r in runs] == [
        ("same", "No staff member should have a pupil"),
        ("insert", "or a former pupil"),
        ("same", "as a friend."),
    ]


def test_each_change_names_the_units_and_questions_citing_it(content):
    diff = diff_policies(content.policy_version("v1"), content.policy_version("v2"), content)
    changed = next(c for c in diff.changes if c.clause_id == "terms.no-friends")
    [unit] = changed.cited_by
    assert unit.unit_id == "friends" and len(unit.question_ids) == 4
    removed = next(c for c in diff.changes if c.clause_id == "terms.context")
    assert removed.cited_by == ()


def test_units_to_retrain_are_those_citing_a_changed_or_added_clause(content):
    diff = diff_policies(content.policy_version("v1"), content.policy_version("v2"), content)
    assert units_to_retrain(content, diff) == {"friends", "reporting"}


def test_an_unknown_version_is_refused_with_the_versions_there_are(content):
    with pytest.raises(UnknownVersion, match="no policy version 'v9'.*v1, v2"):
        content.policy_version("v9")


def test_two_files_with_one_version_are_refused_naming_both(content_path: Path):
    (content_path / "policy" / "copy.yaml").write_text(V2_POLICY)
    with pytest.raises(ContentError, match=r"version 'v2' is also in"):
        load_content(content_path)


def test_a_version_whose_clause_ids_collide_is_refused(content_path: Path):
    (content_path / "policy" / "policy-v2.yaml").write_text(V2_POLICY.replace(
        "id: terms.reporting", "id: terms.approval"))
    with pytest.raises(ContentError, match=r"policy-v2.yaml: clause 'terms.approval': "
                                           r"duplicate id"):
        load_content(content_path)


def test_versions_of_different_policies_are_refused(content_path: Path):
    (content_path / "policy" / "policy-v2.yaml").write_text(V2_POLICY.replace(
        "id: test-policy", "id: another-policy"))
    with pytest.raises(ContentError, match="versions of one policy share its id"):
        load_content(content_path)


def test_an_added_requirement_no_question_assesses_is_a_coverage_gap(content_path: Path):
    (content_path / "units" / "reporting.yaml").unlink()
    tracks = content_path / "tracks.yaml"
    tracks.write_text(tracks.read_text().replace(", reporting]", "]"))
    content = load_content(content_path)
    assert [(g.clause_id, g.track_id) for g in gaps(content)] == [("terms.reporting", "staff")]
    assert gaps(content, content.policy_version("v1")) == []
