"""`make bench` cannot break unnoticed: its scripts run end to end in --quick mode.

The figures of a one-second run mean little, so these tests check that every figure is
printed as a ratio to its baseline, not what the ratios are (docs/benchmarks.md has those).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(shutil.which("wrk") is None,
                       reason="wrk is not installed: sudo apt-get install -y wrk"),
]


def _run(script: str) -> str:
    done = subprocess.run([sys.executable, f"bench/{script}", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _ratio(output: str, label: str) -> float:
    """The ratio printed on the row that starts with `label`: baseline, ours, ratio."""
    row = re.search(rf"^{re.escape(label)}.*?\s[\d.]+\s+[\d.]+\s+([\d.]+)\s+\S", output, re.M)
    assert row, f"no figure for {label!r} in:\n{output}"
    return float(row.group(1))


def test_bench_prints_every_figure_as_a_ratio_to_its_baseline():
    output = _run("run.py")
    for label in ("certificate render and sign, CPU s",
                  "  of which signing (PAdES, made and written in), CPU s",
                  "  the same, vs the minimal doc as plain PDF",
                  "  the required fields alone, unstyled (vs the minimal doc)",
                  "[SQLite] question page, req/s",
                  "[SQLite] answer submission, req/s",
                  "[SQLite] start a unit (resuming its open attempt), req/s",
                  "  question page, requests per worker CPU second",
                  "  answer submission, requests per worker CPU second",
                  "  start a unit, requests per worker CPU second",
                  "[SQLite] server CPU s per learner journey, no hash",
                  "  the same, with the password hash",
                  "[SQLite] certificate download, req/s",
                  "  the same, vs the same bytes as a static file",
                  "  revalidation 304, req/s"):
        assert _ratio(output, label) > 0


def test_dashboard_bench_measures_every_page_at_each_size():
    output = _run("dashboard.py")
    for size in ("200 people", "400 people"):
        assert size in output
    for page in ("dashboard /hr/", "people list, page 1 /hr/people", "export CSV (everyone)",
                 "export XLSX (everyone)", "understanding by clause /hr/understanding",
                 "question statistics /hr/questions"):
        assert len(re.findall(rf"^  {re.escape(page)}\s+[\d.]+\s+[\d.]+", output, re.M)) == 2
    assert "Dashboard at 400 people:" in output
    assert "Understanding by clause at 400 people:" in output
    assert "Question statistics at 400 people:" in output
