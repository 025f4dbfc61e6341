from datetime import date

from elearn.certification import codes
from elearn.certification.eligibility import (
    CertificateStatus,
    certificate_status,
    completed_tracks,
)
from elearn.content.model import Track

STAFF = Track("staff", "Staff track", "", ("staff",), 80, ("a", "b"))
GOV = Track("governor", "Governor track", "", ("governor",), 80, ("c",))
DAY = date(2027, 1, 31)


def test_track_is_complete_when_every_unit_is_passed_before_the_review_date():
    assert completed_tracks([STAFF, GOV], {"a", "b"}, True, date(2027, 1, 1), DAY) == [STAFF]


def test_track_with_a_unit_missing_is_not_complete():
    assert completed_tracks([STAFF], {"a"}, True, date(2027, 1, 1), DAY) == []


def test_nothing_completes_after_the_review_date():
    assert completed_tracks([STAFF], {"a", "b"}, True, date(2027, 2, 1), DAY) == []


def test_the_review_date_itself_still_counts():
    assert completed_tracks([STAFF], {"a", "b"}, True, DAY, DAY) == [STAFF]


def test_track_is_not_complete_until_the_policy_is_acknowledged():
    assert completed_tracks([STAFF], {"a", "b"}, False, date(2027, 1, 1), DAY) == []


def test_status_revoked_beats_valid():
    assert certificate_status(True, DAY, True, date(2027, 1, 1)) is CertificateStatus.REVOKED


def test_status_expires_after_its_date_or_when_a_new_cycle_opens():
    assert certificate_status(False, DAY, True, date(2027, 2, 1)) is CertificateStatus.EXPIRED
    assert certificate_status(False, DAY, False, date(2027, 1, 1)) is CertificateStatus.EXPIRED
    assert certificate_status(False, DAY, True, date(2027, 1, 1)) is CertificateStatus.VALID


def test_codes_are_random_unambiguous_and_long_enough():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(c) >= 10 and set(c) <= set(codes.ALPHABET) for c in made)
    assert not set("01OILSBZ258") & set(codes.ALPHABET)


def test_typed_codes_are_normalised_and_bad_ones_refused():
    code = codes.new_code()
    assert codes.normalise(codes.display(code).lower()) == code
    assert codes.normalise(" " + code[:6] + " " + code[6:]) == code
    assert codes.normalise("short") is None
    assert codes.normalise("O" * codes.LENGTH) is None


def test_a_typed_code_with_characters_never_used_names_them():
    message = codes.problem("R3H7-P9QU-J4K0")
    assert message.startswith("Certificate numbers never contain 0.")
    assert codes.problem("abcd-efgh-jkmn").startswith("Certificate numbers never contain B.")


def test_a_typed_code_of_the_wrong_length_says_how_long_it_should_be():
    assert codes.problem("K7QX-M3PD") == ("A certificate number has 12 letters and digits; "
                                          "you typed 8. Check the number on the certificate.")
    assert codes.problem(" - ").startswith("Enter the certificate number")


def test_a_well_formed_code_has_no_problem_whatever_its_case_or_spacing():
    code = codes.new_code()
    assert codes.problem(codes.display(code).lower()) is None
    assert codes.normalise(codes.display(code).lower()) == code
