"""Completion states, filters, sorting and summaries: pure rules, no app."""

import dataclasses
from datetime import UTC, date, datetime

from elearn.content.model import Track
from elearn.hr.completion import (
    PersonCompletion,
    TrackState,
    is_overdue,
    overall_state,
    track_state,
)
from elearn.hr.people_list import PeopleFilter, sort_people
from elearn.hr.summary import summarise

C, P, N = TrackState.COMPLETE, TrackState.IN_PROGRESS, TrackState.NOT_STARTED
TRACKS = [Track("staff", "Staff", "", ("staff",), 80, ("u1",)),
          Track("governor", "Governor", "", ("governor",), 80, ("u2",))]


def person(pid, name, school_id=1, tracks=(("staff", N),), overdue=False, roles=("staff",),
           activity=None, score=None):
    status = overall_state(s for _, s in tracks)
    return PersonCompletion(pid, name, f"{name.split()[0].lower()}@example.org", school_id,
                            f"School {school_id}", None, roles, tuple(tracks), status,
                            overdue and status is not C, activity, score, ())


def test_a_track_is_complete_in_progress_or_not_started():
    assert track_state(completed=True, started=True) is C
    assert track_state(completed=True, started=False) is C
    assert track_state(completed=False, started=True) is P
    assert track_state(completed=False, started=False) is N


def test_a_person_is_complete_only_when_every_track_is():
    assert overall_state([C, C]) is C
    assert overall_state([C, N]) is P
    assert overall_state([P]) is P
    assert overall_state([N, N]) is N


def test_overdue_means_not_complete_after_the_review_date():
    review = date(2027, 1, 31)
    assert not is_overdue(N, date(2027, 1, 31), review)  # the review date itself is in time
    assert is_overdue(N, date(2027, 2, 1), review)
    assert is_overdue(P, date(2027, 2, 1), review)
    assert not is_overdue(C, date(2027, 2, 1), review)


def test_filters_combine_and_search_matches_name_or_email_ignoring_case():
    rows = [person(1, "Ann Lee"), person(2, "Bob Roe", school_id=2, tracks=(("staff", C),)),
            person(3, "Cy Dee", roles=("governor",), tracks=(("governor", P),))]
    assert [r.id for r in rows if PeopleFilter(search="LEE").matches(r)] == [1]
    assert [r.id for r in rows if PeopleFilter(search="bob@").matches(r)] == [2]
    assert [r.id for r in rows if PeopleFilter(status="incomplete").matches(r)] == [1, 3]
    assert [r.id for r in rows if PeopleFilter(school_id=1, role="governor").matches(r)] == [3]
    assert [r.id for r in rows if PeopleFilter(track="staff", status="complete").matches(r)
            ] == [2]


def test_status_filter_with_a_track_looks_at_that_track():
    both = person(1, "Ann Lee", roles=("governor", "staff"),
                  tracks=(("staff", C), ("governor", N)))
    assert PeopleFilter(track="staff", status="complete").matches(both)
    assert not PeopleFilter(status="complete").matches(both)
    assert PeopleFilter(track="governor", status="not_started").matches(both)


def test_sorting_puts_people_without_a_value_last_in_both_directions():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [person(1, "Ann", score=None), person(2, "Bob", score=60, activity=t),
            person(3, "Cy", score=90, activity=t)]
    assert [r.id for r in sort_people(rows, "score")] == [2, 3, 1]
    assert [r.id for r in sort_people(rows, "score", descending=True)] == [3, 2, 1]
    assert [r.id for r in sort_people(rows, "name", descending=True)] == [3, 2, 1]


def test_sorting_by_units_passed_compares_the_share_of_each_persons_units():
    rows = [dataclasses.replace(person(1, "Ann"), units_passed=1, units_due=2),
            dataclasses.replace(person(2, "Bob"), units_passed=2, units_due=12),
            dataclasses.replace(person(3, "Cy"), units_passed=12, units_due=12)]
    assert [r.id for r in sort_people(rows, "units", descending=True)] == [3, 1, 2]


def test_sorting_by_status_puts_overdue_then_not_started_first():
    rows = [person(1, "Ann", tracks=(("staff", C),)), person(2, "Bob"),
            person(3, "Cy", tracks=(("staff", P),)), person(4, "Di", overdue=True,
                                                            tracks=(("staff", P),))]
    assert [r.id for r in sort_people(rows, "status")] == [4, 2, 3, 1]


def test_summary_counts_people_once_and_each_of_their_tracks():
    rows = [person(1, "Ann", tracks=(("staff", C),)),
            person(2, "Bob", roles=("governor", "staff"), tracks=(("staff", C),
                                                                    ("governor", N))),
            person(3, "Cy", school_id=2, overdue=True)]
    summary = summarise(rows, [(1, "School 1"), (2, "School 2"), (3, "Empty")], TRACKS)
    one, two, empty = summary.schools
    assert (one.overall.people, one.overall.complete, one.overall.in_progress) == (2, 1, 1)
    assert one.by_track["staff"].complete == 2 and one.by_track["governor"].not_started == 1
    assert two.overall.overdue == 1 and two.by_track["staff"].overdue == 1
    assert empty.overall.people == 0 and empty.overall.percent_complete == 0
    assert summary.total.overall.people == 3 and summary.total.overall.percent_complete == 33


def test_percent_complete_is_rounded_to_the_nearest():
    rows = [person(i, f"P{i}", tracks=(("staff", C if i < 2 else N),)) for i in range(12)]
    assert summarise(rows, [(1, "School 1")], TRACKS).total.overall.percent_complete == 17
    rows = [person(i, f"P{i}", tracks=(("staff", C if i < 1 else N),)) for i in range(8)]
    assert summarise(rows, [(1, "School 1")], TRACKS).total.overall.percent_complete == 13


def test_percent_complete_is_never_0_once_someone_has_completed():
    rows = [person(i, f"P{i}", tracks=(("staff", C if i == 0 else N),)) for i in range(300)]
    assert summarise(rows, [(1, "School 1")], TRACKS).total.overall.percent_complete == 1


def test_percent_complete_is_never_100_while_someone_is_still_to_finish():
    rows = [person(i, f"P{i}", tracks=(("staff", C),)) for i in range(199)] + [person(999, "Z")]
    summary = summarise(rows, [(1, "School 1")], TRACKS)
    assert summary.total.overall.percent_complete == 99
