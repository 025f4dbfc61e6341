"""Names refuse characters that would corrupt a file or disguise what a page shows."""

import pytest

from elearn.people.rules import PersonError, clean_name


@pytest.mark.parametrize("bad", ["Ann\x00Lee", "Ann\u202eeeL", "Ann\u2066Lee\u2069",
                                 "Ann\u202aLee", "Ann\x1bLee", "Ann\x7fLee"])
def test_a_name_with_a_control_character_is_refused_with_a_clear_message(bad):
    with pytest.raises(PersonError, match="control character"):
        clean_name(bad)


@pytest.mark.parametrize("good", ["Siân O'Neill-Jones", "محمد علي", "Zoë\tKrüger", "李 小龍"])
def test_names_in_any_script_are_accepted(good):
    assert clean_name(good) == " ".join(good.split())
