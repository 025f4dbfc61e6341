"""The retraining rule, on its own."""

from elearn.cycles.retraining import unit_carries_over

TOUCHED = frozenset({"friends"})


def test_a_passed_unit_the_change_does_not_touch_carries_over():
    assert unit_carries_over("approval", True, TOUCHED)


def test_a_passed_unit_citing_a_changed_or_added_clause_is_due_again():
    assert not unit_carries_over("friends", True, TOUCHED)


def test_a_unit_not_passed_before_is_due_whatever_changed():
    assert not unit_carries_over("approval", False, TOUCHED)


def test_full_retraining_carries_nothing_over():
    assert not unit_carries_over("approval", True, None)
