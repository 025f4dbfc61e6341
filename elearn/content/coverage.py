"""Which questions assess which clause, per track; gaps fail the coverage check."""

from __future__ import annotations

from dataclasses import dataclass

from elearn.content.model import Content, Policy


@dataclass(frozen=True)
class ClauseCoverage:
    clause_id: str
    track_id: str
    required: bool
    questions: tuple[str, ...]  # "unit-id/question-id"

    @property
    def gap(self) -> bool:
        return self.required and not self.questions


def coverage(content: Content, policy: Policy | None = None) -> list[ClauseCoverage]:
    """Every clause × track pair that is required or assessed, with its citing questions.

    Checks `policy` (a version), by default the newest, which the units are written for.
    """
    policy = policy or content.policy
    rows: list[ClauseCoverage] = []
    for track in content.tracks:
        citing: dict[str, list[str]] = {}
        for uid in track.unit_ids:
            for q in content.units[uid].questions:
                for cid in q.cites:
                    citing.setdefault(cid, []).append(f"{uid}/{q.id}")
        for clause in policy.clauses.values():
            required = clause.requirement and track.id in clause.tracks
            if required or clause.id in citing:
                rows.append(ClauseCoverage(clause.id, track.id, required,
                                           tuple(citing.get(clause.id, ()))))
    return rows


def gaps(content: Content, policy: Policy | None = None) -> list[ClauseCoverage]:
    """Requirement clauses of a track that no question of that track assesses."""
    return [row for row in coverage(content, policy) if row.gap]
