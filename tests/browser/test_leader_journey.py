"""A head teacher: the staff track and the leaders' track; their school's completion
dashboard, and nothing of another school's."""

from __future__ import annotations

from browser.journeys import (
    arrived,
    download_certificate,
    hr_dashboard_rows,
    hr_export_csv,
    open_completion,
    open_hr_section,
    pdf_text,
    people_of_school,
    sign_in,
    take_track,
    track_titles,
    visit,
)

OTHER_SCHOOL = "Riverside Academy"


def test_head_teacher_handles_the_leaders_track(page, live_server):
    content = live_server.content
    sign_in(page, live_server.people["head"])
    name = page.locator("h1").inner_text().removeprefix("Hello, ")
    assert track_titles(page) == ["Staff training", "Leaders’ training: handling disclosures"]
    arrived(page, "home-leader")

    take_track(page, content, "leader")
    leader = page.locator("section.track").nth(1)
    assert "4 of 4 scenarios passed" in leader.inner_text()
    # The staff track is still to do: the leaders' track is taken as well as it.
    assert "0 of 12 scenarios passed" in page.locator("section.track").nth(0).inner_text()

    pdf = download_certificate(page, "Leaders’ training: handling disclosures", "leader")
    text = pdf_text(pdf)
    assert name in text and "Leaders" in text


def test_head_teacher_sees_only_their_own_schools_dashboard(page, live_server):
    school = live_server.people["school"]
    school_id, people = people_of_school(live_server, school)
    other_id, others = people_of_school(live_server, OTHER_SCHOOL)
    sign_in(page, live_server.people["head"])
    main_nav = page.locator("nav[aria-label=Main]").inner_text()
    assert "Completion" in main_nav and "HR" not in main_nav and "Review cycle" not in main_nav

    # The overview is their school's alone; the sub-navigation has no HR-only pages.
    open_completion(page, "hr-overview-head-teacher")
    assert page.locator("h1").inner_text() == f"Training completion: {school}"
    by_school = page.locator("main table.table-figures").first.locator("tbody th")
    assert by_school.all_inner_texts() == [school]
    assert page.locator("nav.subnav a").all_inner_texts() == [
        "Overview", "People", "Understanding"]

    # People: only their school's, with no School filter or column to choose another.
    open_hr_section(page, "People", "hr-people-head-teacher")
    assert page.get_by_label("School", exact=True).count() == 0
    rows = hr_dashboard_rows(page)
    assert rows and "School" not in rows[0], rows[:1]
    assert sorted(r["Name"] for r in rows) == sorted(name for _, name in people.values())
    exported = hr_export_csv(page, "people-head-teacher")
    assert {r["Email"] for r in exported} == {email for email, _ in people.values()}
    assert {r["School"] for r in exported} == {school}

    # Their own school's filter works; another school's filter and people are 404s (the app
    # reveals nothing of them), and so are the HR-only pages.
    visit(page, f"/hr/people?school={school_id}")
    assert page.locator("h1").inner_text() == f"People: {school}"
    visit(page, f"/hr/people?school={other_id}", status=404)
    visit(page, f"/hr/people.csv?school={other_id}", status=404)
    visit(page, f"/hr/people/{min(others)}", status=404)
    for path in ("/hr/import", "/hr/cycle"):
        visit(page, path, status=404)
