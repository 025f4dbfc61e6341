"""Completion counted per school and per track, with the Trust's total. No Flask here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from elearn.content.model import Track
from elearn.hr.completion import Group, PersonCompletion, TrackState


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


def grouped(rows: Iterable[PersonCompletion]) -> list[Group]:
    """People's rows counted into groups of the same school and state."""
    counted = Counter((r.school_id, r.tracks, r.status, r.overdue, r.acknowledged_at is not None)
                      for r in rows)
    return [Group(*key, people=n) for key, n in counted.items()]


def summarise(rows: Iterable[PersonCompletion], schools: Sequence[tuple[int, str]],
              tracks: Sequence[Track]) -> Summary:
    """summarise_groups() for people's rows."""
    return summarise_groups(grouped(rows), schools, tracks)


def summarise_groups(groups: Iterable[Group], schools: Sequence[tuple[int, str]],
                     tracks: Sequence[Track]) -> Summary:
    """Counts per school (in the order given) and per track, with the Trust's total.

    A person counts once overall and once in each track they must take; overdue people are
    counted among the not complete as well as on their own."""
    def blank(school_id: int, name: str) -> SchoolSummary:
        return SchoolSummary(school_id, name, Counts(), {t.id: Counts() for t in tracks})

    by_school = {sid: blank(sid, name) for sid, name in schools}
    total = blank(0, "All schools")
    for group in groups:
        for target in (by_school.get(group.school_id), total):
            if target is None:
                continue
            target.overall.add(group.status, group.overdue, group.people, group.acknowledged)
            for track_id, state in group.tracks:
                if track_id in target.by_track:
                    target.by_track[track_id].add(
                        state, group.overdue and state is not TrackState.COMPLETE,
                        group.people)
    return Summary(list(by_school.values()), total)
