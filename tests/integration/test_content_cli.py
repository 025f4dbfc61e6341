"""`flask content diff` and the HR page of what changed between versions."""

import pytest
from helpers import sign_in

from elearn.models import Role


@pytest.fixture
def content_dir(versioned_content):
    return versioned_content


def test_content_diff_lists_added_removed_and_changed_clauses_with_their_questions(runner):
    result = runner.invoke(args=["content", "diff", "v1", "v2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 added, 1 removed, 1 changed" in out
    assert "CHANGED terms.no-friends" in out and "{+or a former pupil+}" in out
    assert "ADDED terms.reporting" in out and "cited by reporting (Reporting a concern): who" in out
    assert "REMOVED terms.context" in out
    assert "terms.approval" not in out


def test_content_diff_refuses_an_unknown_version(runner):
    result = runner.invoke(args=["content", "diff", "v1", "v5"])
    assert result.exit_code != 0 and "no policy version 'v5'" in result.output


def test_coverage_checks_the_version_asked_for(runner):
    result = runner.invoke(args=["content", "coverage", "--version", "v1"])
    assert result.exit_code == 0 and "Policy version v1" in result.output


def test_hr_page_marks_the_changed_words_and_names_the_citing_questions(app, make_person, cycle):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="central").email)
    body = client.get("/hr/policy/changes").get_data(as_text=True)
    assert "From version v1 to version v2: 1 added, 1 removed, 1 changed" in body
    assert ('<ins class="diff-ins"><span class="visually-hidden">Added: </span>'
            'or a former pupil</ins>') in body
    assert "Reporting a concern" in body and "“Who do you tell?”" in body
    assert "requirement for the Staff track" in body
    backwards = client.get("/hr/policy/changes?old=v2&new=v1").get_data(as_text=True)
    assert "run backwards in time" in backwards
    missing = client.get("/hr/policy/changes?old=v1&new=v8")
    assert missing.status_code == 404 and "no policy version" in missing.get_data(as_text=True)
