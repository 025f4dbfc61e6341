"""Completion counted per school and per track, with the Trust's total. No Flask here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from elearn.content.model import Track
from elearn.hr.completion import PersonCompletion, TrackState


@dataclass
class Counts:
    people: int = 0
    complete: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    acknowledged: int = 0  # people who have acknowledged the cycle's policy version

    def add(self, state: TrackState, overdue: bool, n: int = 1,
            acknowledged: bool = False) -> None:
        self.people += n
        setattr(self, state.key, getattr(self, state.key) + n)
        if overdue:
            self.overdue += n
        if acknowledged:
            self.acknowledged += n

    @property
    def percent_complete(self) -> int:
        """Rounded to the nearest (2 of 12 is 17%), but never 100% while someone is still to
        finish, nor 0% once someone has."""
        if not self.people:
            return 0
        nearest = (self.complete * 200 + self.people) // (self.people * 2)  # halves round up
        if self.complete < self.people:
            nearest = min(nearest, 99)
        return max(nearest, 1) if self.complete else 0


@dataclass
class SchoolSummary:
    school_id: int
    school_name: str
    overall: Counts = field(default_factory=Counts)
    by_track: dict[str, Counts] = field(default_factory=dict)


@dataclass
class Summary:
    schools: list[SchoolSummary]
    total: SchoolSummary


def summarise(rows: Iterable[PersonCompletion], schools: Sequence[tuple[int, str]],
              tracks: Sequence[Track]) -> Summary:
    """Counts per school (in the order given) and per track, with the Trust's total.

    A person counts once overall and once in each track they must take; overdue people are
    counted among the not complete as well as on their own."""
    def blank(school_id: int, name: str) -> SchoolSummary:
        return SchoolSummary(school_id, name, Counts(), {t.id: Counts() for t in tracks})

    rows = list(rows)
    # Tally identical (school, state, overdue, acknowledged) combinations first: a handful
    # of keys.
    overall = Counter((r.school_id, r.status, r.overdue, r.acknowledged_at is not None)
                      for r in rows)
    by_track = Counter((r.school_id, track_id, state, r.overdue and state is not
                        TrackState.COMPLETE) for r in rows for track_id, state in r.tracks)
    by_school = {sid: blank(sid, name) for sid, name in schools}
    total = blank(0, "All schools")
    for (school_id, state, overdue, acknowledged), n in overall.items():
        for target in (by_school.get(school_id), total):
            if target is not None:
                target.overall.add(state, overdue, n, acknowledged)
    for (school_id, track_id, state, overdue), n in by_track.items():
        for target in (by_school.get(school_id), total):
            if target is not None and track_id in target.by_track:
                target.by_track[track_id].add(state, overdue, n)
    return Summary(list(by_school.values()), total)
