"""HR in the browser: recording a policy review; the completion dashboard (filters, CSV
export) and the staff import (a file with an error, then a good one)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from browser.harness import OUTPUT
from browser.journeys import (
    arrived,
    click_to,
    fill_date,
    flash_text,
    focused_matches,
    hr_dashboard_rows,
    hr_export_csv,
    hr_filter_dashboard,
    hr_import_errors,
    hr_import_staff,
    hr_result_count,
    open_completion,
    open_hr_section,
    sign_in,
)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_hr_records_a_policy_review(page, live_server):
    today = date.today()
    sign_in(page, live_server.people["hr"])
    arrived(page, "home-hr")
    open_completion(page, "hr-overview", docs=True)
    open_hr_section(page, "Review cycle and certificates", "hr", docs=True)
    assert page.locator("h1").inner_text() == "Review cycle and certificates"
    assert live_server.people["school"] in page.locator("main").inner_text()

    # A next review date in the past is refused, next to the field.
    fill_date(page, "reviewed_on", today)
    fill_date(page, "next_review", today - timedelta(days=1))
    click_to(page, "form[action*='/hr/review'] button", "hr-error")
    summary = page.locator(".error-summary").inner_text()
    assert "next review date must" in summary.lower(), summary

    next_review = today + timedelta(days=364)
    assert page.locator("#next_review").get_attribute("aria-invalid") == "true"
    fill_date(page, "reviewed_on", today)
    fill_date(page, "next_review", next_review)
    page.get_by_label("Retrain only on what changed").check()
    click_to(page, "form[action*='/hr/review'] button", "hr-review-preview", docs=True)
    assert "Nothing has changed yet" in page.locator("main").inner_text()
    assert live_server.people["school"] in page.locator("table").first.inner_text()
    click_to(page, "button:has-text('Confirm: record the review')", "hr-recorded")
    assert "Review recorded" in flash_text(page)
    assert page.locator(".deadline-date").inner_text() == _long(next_review)


# --- the completion dashboard and the staff import ---------------------------------------------

OTHER_SCHOOL = "Riverside Academy"
HEADER = "name,email,school,roles,job_title\n"
NIA = "Nia Rowe,nia.rowe@riverside.example.org,Riverside Academy,staff,Teacher\n"
BAD_STAFF_FILE = HEADER + NIA + "No Email,,Riverside Academy,staff,Teacher\n"
GOOD_STAFF_FILE = HEADER + NIA + ("Tom Ede,tom.ede@riverside.example.org,Riverside Academy,"
                                  "staff,Caretaker\n")


def test_hr_filters_the_dashboard_exports_csv_and_imports_staff(page, live_server):
    school = live_server.people["school"]
    sign_in(page, live_server.people["hr"])
    open_completion(page)
    by_school = page.locator("main table.table-figures").first.locator("tbody th")
    assert school in by_school.all_inner_texts()

    # The people list, filtered by school and track (a GET form: the URL keeps the filters).
    open_hr_section(page, "People", "hr-people")
    hr_filter_dashboard(page, school=school, track="Staff track", shot="hr-people-filtered")
    assert re.search(r"[?&]school=\d+", page.url) and "track=staff" in page.url, page.url
    assert page.locator("h1").inner_text() == f"People: {school}"
    rows = hr_dashboard_rows(page)
    assert rows, "no one at the school takes the staff track?"
    assert all("Staff track" in r["Tracks"] for r in rows), rows
    governor = live_server.people["governor"]  # governors take only their own track
    names = {r["Name"] for r in rows}
    assert hr_result_count(page) == f"Showing 1–{len(rows)} of {len(rows)} people."

    # The CSV export, downloaded through the browser: the header, then exactly those people.
    exported = hr_export_csv(page, "people-filtered")
    assert {r["Name"] for r in exported} == names
    assert len(exported) == len(rows)
    assert {r["School"] for r in exported} == {school}
    assert all("Staff track" in r["Tracks"] for r in exported)
    assert governor not in {r["Email"] for r in exported}

    # A name search keeps the other filters.
    staff_email = live_server.people["staff"]
    hr_filter_dashboard(page, search=staff_email)
    [row] = hr_dashboard_rows(page)
    assert row["Name"] in names
    assert "track=staff" in page.url and "school=" in page.url, page.url

    # A staff file with an error: every problem with its line number, nothing imported.
    downloads = OUTPUT / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    bad, good = downloads / "staff-bad.csv", downloads / "staff-good.csv"
    bad.write_text(BAD_STAFF_FILE, encoding="utf-8")
    good.write_text(GOOD_STAFF_FILE, encoding="utf-8")
    open_hr_section(page, "Import staff", "hr-import")
    assert page.locator("h1").inner_text() == "Import staff from a CSV file"
    hr_import_staff(page, bad, "hr-import-errors")
    assert page.url.endswith("/hr/import"), page.url
    # Focus starts at what went wrong; the title says so; the empty file box is explained.
    assert focused_matches(page, ".error-summary"), "the error summary does not take focus"
    assert page.title().startswith("Error: ")
    assert "Choose the corrected file again" in page.locator(".error-summary").inner_text()
    assert "the browser does not keep it" in page.locator(".choose-again").inner_text()
    assert page.locator(".error-summary h2").inner_text() == \
        "Nothing was imported: 1 problem in the file"
    assert hr_import_errors(page) == ["Line 3: An email address is required."]
    open_hr_section(page, "People")
    hr_filter_dashboard(page, search="Nia Rowe")
    assert hr_result_count(page) == "No one matches these filters."
    assert hr_dashboard_rows(page) == []

    # The corrected file: a preview, nothing saved until it is confirmed.
    open_hr_section(page, "Import staff")
    hr_import_staff(page, good, "hr-import-preview")
    assert re.search(r"/hr/import/\d+$", page.url), page.url
    assert page.locator("h1").inner_text() == "Check the import, then confirm"
    assert "2 to add" in " ".join(page.locator("ul.import-summary").inner_text().split())
    to_add = page.locator("main table tbody th").all_inner_texts()
    assert sorted(to_add) == ["Nia Rowe", "Tom Ede"], to_add
    click_to(page, "main form button:text-is('Confirm: add 2, change 0, deactivate 0')",
             "hr-import-done")
    assert page.locator("h1").inner_text() == "Import done"
    notice = flash_text(page)
    assert "Import done: 2 added, 0 changed, 0 deactivated, 0 unchanged." in notice, notice
    assert "No invitation was emailed (email is not set up): tell the 2 new people how " \
        "to sign in yourself." in notice, notice

    # The new people are in the people list, at their school.
    click_to(page, "main a:text-is(\"See everyone's training\")")
    hr_filter_dashboard(page, school=OTHER_SCHOOL)
    rows = hr_dashboard_rows(page)
    assert {"Nia Rowe", "Tom Ede"} <= {r["Name"] for r in rows}, rows
    click_to(page, "main table a:text-is('Tom Ede')", "hr-person")
    assert page.locator("h1").inner_text() == "Tom Ede"
    details = " ".join(page.locator("dl.details").inner_text().split())
    assert "tom.ede@riverside.example.org" in details and OTHER_SCHOOL in details, details
