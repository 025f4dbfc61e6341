"""The rule choosing which reminder is due: pure, no app."""

import pytest

from elearn.hr.reminders import due_reminder


@pytest.mark.parametrize("days_left, expected", [
    (45, None), (31, None), (30, "30-days"), (20, "30-days"), (15, "30-days"),
    (14, "14-days"), (8, "14-days"), (7, "7-days"), (2, "7-days"), (1, "1-day"),
    (0, "1-day"), (-1, "overdue"), (-30, "overdue"),
])
def test_the_most_recent_threshold_reached_is_due_when_nothing_was_sent(days_left, expected):
    assert due_reminder(days_left, set()) == expected


def test_a_reminder_already_sent_is_not_due_again():
    assert due_reminder(30, {"30-days"}) is None
    assert due_reminder(20, {"30-days"}) is None
    assert due_reminder(-5, {"overdue"}) is None


def test_the_next_threshold_is_due_once_the_earlier_one_was_sent():
    assert due_reminder(14, {"30-days"}) == "14-days"
    assert due_reminder(1, {"30-days", "14-days", "7-days"}) == "1-day"
    assert due_reminder(-1, {"30-days", "14-days", "7-days", "1-day"}) == "overdue"


def test_someone_added_late_gets_only_the_latest_reminder_not_the_missed_ones():
    assert due_reminder(5, set()) == "7-days"
    assert due_reminder(4, {"7-days"}) is None


def test_manual_reminders_do_not_count_against_the_automatic_ones():
    assert due_reminder(7, {"manual"}) == "7-days"
