"""Formula-safe cells and the CSV reader of the staff import: pure, no app."""

import pytest

from elearn.hr.exports import safe_cell
from elearn.people.staff_file import read_rows, split_roles


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx",
                                   "=HYPERLINK(\"http://evil\")"])
def test_values_a_spreadsheet_would_run_are_prefixed_with_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ann Lee", "", "O'Brien", "a=b", "100%", "1-2"])
def test_ordinary_values_are_left_alone(value):
    assert safe_cell(value) == value


def test_rows_keep_their_line_numbers_across_blank_and_multi_line_records():
    text = ("Name,E-mail,School,Role,Job Title\n"
            "Ann,ann@x.org,A,staff,\n"
            "\n"
            "\"Bob\nRoe\",bob@x.org,A,staff,TA\n"
            "Cy,cy@x.org,A,staff,\n")
    rows, has_job_title, errors = read_rows(text)
    assert errors == [] and has_job_title
    assert [(line, r["email"]) for line, r in rows] == [
        (2, "ann@x.org"), (4, "bob@x.org"), (6, "cy@x.org")]


def test_a_row_with_too_many_values_is_reported_with_its_line():
    rows, _, errors = read_rows("name,email,school,roles\nAnn,a@x.org,A,staff,extra\n")
    assert rows == [] and errors[0].line == 2 and "5 values" in errors[0].message


def test_an_empty_file_and_a_header_only_file_are_reported():
    assert "empty" in read_rows("")[2][0].message
    assert "no people" in read_rows("name,email,school,roles\n")[2][0].message


def test_roles_may_be_separated_by_semicolons_or_quoted_commas():
    assert [r.strip() for r in split_roles("staff; leader,governor")] == [
        "staff", "leader", "governor"]
