"""What a learner does next, and how long the rest takes: plain rules over their progress.

Resuming comes first: a unit with an attempt in progress is the next unit even when an
earlier one in the track is still to do, since its answers are saved and half the work is
done. Otherwise the first unit not yet passed, in the track's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from elearn.content.model import Content, Track
from elearn.models import Attempt
from elearn.quiz.attempts import UnitProgress, progress
from elearn.quiz.passes import CarriedOver


def next_unit(rows: Sequence[UnitProgress]) -> UnitProgress | None:
    """The unit to offer next: one in progress first, else the first not passed."""
    to_do = [row for row in rows if not row.passed]
    started = [row for row in to_do if row.open_attempt is not None]
    return (started or to_do or [None])[0]


def next_unit_after(content: Content, tracks: Iterable[Track], unit_id: str,
                    attempts: list[Attempt], carried: Mapping[str, CarriedOver]
                    ) -> UnitProgress | None:
    """After a pass at `unit_id`: the unit to offer next, in its own track first, then in
    the person's other tracks; None when every unit is passed."""
    for track in sorted(tracks, key=lambda t: unit_id not in t.unit_ids):
        found = next_unit(progress(content, track.unit_ids, attempts, carried))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class TimeLeft:
    scenarios: int
    minutes: int


def time_left(tracks_rows: Iterable[Sequence[UnitProgress]]) -> TimeLeft:
    """The scenarios not yet passed across a person's tracks, and about how long they take
    in all: a unit in two tracks is one scenario to take, counted once."""
    to_do = {row.unit.id: row.unit for rows in tracks_rows for row in rows if not row.passed}
    return TimeLeft(len(to_do), sum(unit.minutes for unit in to_do.values()))


def minutes_left(rows: Sequence[UnitProgress]) -> int:
    """About how many minutes the units not yet passed take, by each unit's own estimate."""
    return time_left([rows]).minutes
