"""The people list: filters from the query string, sorting, paging, and which schools and
school a list is about. No Flask here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import ceil

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.hr.completion import STATE_ORDER, PersonCompletion, TrackState
from elearn.models import School

STATUS_FILTERS = {
    "incomplete": "Not complete",
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "overdue": "Overdue",
    "not_acknowledged": "Policy not acknowledged",
}
SORT_KEYS = ("name", "school", "status", "activity", "units", "score")
PAGE_SIZE = 50


@dataclass(frozen=True)
class PeopleFilter:
    """What the people list shows: each field None means no filter on it."""

    school_id: int | None = None
    role: str | None = None
    track: str | None = None
    status: str | None = None
    search: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], roles: set[str], track_ids: set[str]
                  ) -> tuple[PeopleFilter, dict[str, str]]:
        """The filter a query string asks for, ignoring values that mean nothing, and the
        query string that gives it back."""
        query: dict[str, str] = {}
        try:
            school_id = int(args["school"]) if "school" in args else None
        except ValueError:
            school_id = None
        if school_id is not None:
            query["school"] = str(school_id)
        role = args.get("role") if args.get("role") in roles else None
        track = args.get("track") if args.get("track") in track_ids else None
        status = args.get("status") if args.get("status") in STATUS_FILTERS else None
        search = " ".join(args.get("q", "").split())[:100] or None
        for key, value in (("role", role), ("track", track), ("status", status),
                           ("q", search)):
            if value:
                query[key] = value
        return cls(school_id, role, track, status, search), query

    def matches(self, row: PersonCompletion) -> bool:
        if self.school_id is not None and row.school_id != self.school_id:
            return False
        if self.role is not None and self.role not in row.roles:
            return False
        if self.track is not None and self.track not in row.track_ids:
            return False
        if self.status is not None and not _status_matches(self.status, row, self.track):
            return False
        if self.search:
            needle = self.search.casefold()
            return needle in row.name.casefold() or needle in row.email
        return True


def _status_matches(status: str, row: PersonCompletion, track: str | None) -> bool:
    state = dict(row.tracks)[track] if track is not None else row.status
    if status == "incomplete":
        return state is not TrackState.COMPLETE
    if status == "overdue":
        return row.overdue and state is not TrackState.COMPLETE
    if status == "not_acknowledged":
        return row.acknowledged_at is None
    return state.key == status


def sort_people(rows: Iterable[PersonCompletion], key: str = "name",
                descending: bool = False) -> list[PersonCompletion]:
    """Sorted by the column asked, then by name; people with no value sort last."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.id))
    if key == "school":
        return sorted(by_name, key=lambda r: r.school_name.casefold(), reverse=descending)
    if key == "status":
        return sorted(by_name, key=lambda r: (not r.overdue, STATE_ORDER[r.status]),
                      reverse=descending)
    if key == "units":
        return sorted(by_name, key=lambda r: r.share_passed, reverse=descending)
    if key in ("activity", "score"):
        attr = "last_activity" if key == "activity" else "best_percent"
        present = [r for r in by_name if getattr(r, attr) is not None]
        missing = [r for r in by_name if getattr(r, attr) is None]
        return sorted(present, key=lambda r: getattr(r, attr), reverse=descending) + missing
    return by_name[::-1] if descending else by_name


def visible_schools(session: Session, school_ids: set[int] | None) -> list[tuple[int, str]]:
    """(id, name) of the schools in scope, schools first and the central team last."""
    query = select(School.id, School.name).order_by(School.is_central, School.name)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    return [(sid, name) for sid, name in session.execute(query)]


def school_shown(schools: list[tuple[int, str]], school_id: int | None) -> str | None:
    """The school a list is about: the one filtered on, or the viewer's only school (a head
    teacher's, filtered or not); None for several."""
    return dict(schools).get(school_id) or (schools[0][1] if len(schools) == 1 else None)


@dataclass(frozen=True)
class Page:
    number: int
    pages: int
    start: int
    end: int

    @classmethod
    def of(cls, total: int, asked: int) -> Page:
        """The page asked for, kept within the pages there are."""
        pages = max(1, ceil(total / PAGE_SIZE))
        number = min(max(asked, 1), pages)
        return cls(number, pages, (number - 1) * PAGE_SIZE, number * PAGE_SIZE)
