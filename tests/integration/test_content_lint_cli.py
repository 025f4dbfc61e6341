"""`flask content lint` on the Trust's modules/ (so `make test` runs it) and on broken content."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture
def content_dir():
    return ROOT / "modules"


def test_content_lint_passes_on_the_trust_content_and_prints_the_table(runner):
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 0, result.output
    assert "Longest key" in result.output and "Every rule holds" in result.output
    for track in ("staff", "governor", "leader"):
        assert f"\n{track}" in result.output


def test_content_lint_fails_naming_the_questions_that_break_a_rule(app, runner, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "lint", broken)
    friends = broken / "units" / "friends.yaml"
    friends.write_text(friends.read_text().replace("draw: 3", "draw: 1").replace(
        "text: Decline it,", "text: Decline it and say nothing at all,"))
    steps = broken / "units" / "account.yaml"
    steps.write_text(steps.read_text().replace(
        "      - {id: post, text: Post the first photos, feedback: Last.}\n", ""))
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 1
    assert "friends/what-to-do [staff]: the key is the longest option" in result.output
    assert "account/steps: 3 steps" in result.output
    assert "friends: draws 1 of 4" in result.output
    assert "3 question(s) or unit(s) break a rule." in result.output


def test_content_lint_lists_the_loader_problems_of_invalid_content(app, runner, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "lint", broken)
    friends = broken / "units" / "friends.yaml"
    friends.write_text(friends.read_text().replace(
        "      - {id: ask, text: Ask a parent, correct: false, feedback: No exception.}\n", ""))
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 1
    assert "question 'what-to-do': a single choice question needs at least 3 options" \
        in result.output


def test_content_check_and_coverage_pass_on_the_trust_content(runner):
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0 and "Content is valid" in check.output
    coverage = runner.invoke(args=["content", "coverage"])
    assert coverage.exit_code == 0, coverage.output
    assert "Every requirement clause is assessed in every track it applies to." \
        in coverage.output
