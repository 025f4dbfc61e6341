"""The staff import's rules that need no database: when deactivating leavers needs an extra
confirmation, and files whose columns are separated by semicolons."""

from elearn.models import Role
from elearn.people.staff_file import SEMICOLON_FILE, read_rows, split_roles, uses_semicolons
from elearn.people.staff_import import Leaver, leaver_impact, leaver_share_over_limit


def _leaver(n: int, school: str = "Hollybrook", *roles: Role) -> Leaver:
    return Leaver(n, f"Person {n}", f"p{n}@example.org", school,
                  frozenset(roles or {Role.STAFF}))


def test_deactivating_a_fifth_of_a_school_is_not_over_the_limit():
    assert not leaver_share_over_limit(1, 5)
    assert not leaver_share_over_limit(20, 100)


def test_deactivating_more_than_a_fifth_of_a_school_is_over_the_limit():
    assert leaver_share_over_limit(2, 9)
    assert leaver_share_over_limit(21, 100)
    assert leaver_share_over_limit(12, 13)


def test_impact_counts_leavers_against_each_schools_active_people():
    leavers = [_leaver(n) for n in range(12)] + [_leaver(99, "Riverside")]
    impact = leaver_impact(leavers, {"Hollybrook": 13, "Riverside": 40, "Elsewhere": 7})
    assert [(s.school_name, s.leavers, s.active, s.percent) for s in impact.schools] == [
        ("Hollybrook", 12, 13, 92), ("Riverside", 1, 40, 2)]
    assert impact.total == 13
    assert [s.over_limit for s in impact.schools] == [True, False]
    assert impact.needs_extra_confirmation


def test_a_few_ordinary_leavers_need_no_extra_confirmation():
    impact = leaver_impact([_leaver(1)], {"Hollybrook": 10})
    assert impact.key_people == () and not impact.needs_extra_confirmation


def test_any_head_teacher_or_dsl_among_the_leavers_needs_extra_confirmation():
    head = _leaver(2, "Hollybrook", Role.STAFF, Role.LEADER)
    impact = leaver_impact([_leaver(1), head], {"Hollybrook": 50})
    assert impact.key_people == (head,)
    assert head.key_roles == {Role.LEADER}
    assert impact.needs_extra_confirmation


def test_any_hr_person_among_the_leavers_needs_extra_confirmation():
    hr = _leaver(3, "Hollybrook", Role.HR)
    assert leaver_impact([hr], {"Hollybrook": 50}).needs_extra_confirmation


def test_a_semicolon_separated_file_is_recognised_with_a_specific_error():
    text = "name;email;school;roles\nAnn;ann@x.org;A;staff\n"
    rows, _, errors = read_rows(text)
    assert rows == [] and [(e.line, e.message) for e in errors] == [(1, SEMICOLON_FILE)]
    assert "semicolons between columns" in SEMICOLON_FILE and "CSV UTF-8" in SEMICOLON_FILE


def test_a_header_merely_containing_a_semicolon_is_not_taken_for_one():
    assert not uses_semicolons(["name", "email;address"])
    assert "missing: email, school, roles" in read_rows("name,email;x\nAnn,a\n")[2][0].message


def test_a_quoted_comma_separates_roles_as_a_semicolon_does():
    assert [r.strip() for r in split_roles("governor, staff")] == ["governor", "staff"]
    assert split_roles("staff;leader") == ["staff", "leader"]
