"""docs/content-decisions.md defends every clause that is not a requirement of all tracks."""

import re
from pathlib import Path

from elearn.content import load_content

ROOT = Path(__file__).parents[3]


def test_every_non_requirement_and_every_partial_requirement_has_a_line():
    content = load_content(ROOT / "modules")
    all_tracks = {t.id for t in content.tracks}
    doc = (ROOT / "docs" / "content-decisions.md").read_text(encoding="utf-8")
    lines = {m.group(1): m.group(2) for m in
             re.finditer(r"^- `([a-z0-9.-]+)` — ([^—]+) —", doc, re.MULTILINE)}
    for clause in content.policy.clauses.values():
        if clause.requirement and set(clause.tracks) == all_tracks:
            continue
        assert clause.id in lines, f"{clause.id} has no line in docs/content-decisions.md"
        tracks = {t.strip() for t in lines[clause.id].split(",")}
        assert tracks == (set(clause.tracks) or {"none"}), clause.id
