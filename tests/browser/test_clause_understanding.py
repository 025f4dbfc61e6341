"""Understanding by clause and question statistics in the browser, checked with axe: HR
sees the Trust's figures with the chart and its table; a head teacher their school's only.

The file's name puts it before test_hr.py, which records a new review: the README's
screenshots then show the demo's answers in the current cycle."""

from __future__ import annotations

import re

from browser.journeys import arrived, open_completion, open_hr_section, sign_in

OTHER_SCHOOLS = ("Riverside Academy", "Meadowfield Primary School")


def test_hr_sees_understanding_by_clause_and_question_statistics(page, live_server):
    sign_in(page, live_server.people["hr"])
    open_completion(page)
    open_hr_section(page, "Understanding", "hr-understanding", docs=True)
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Understanding of the policy, clause by clause"
    assert "fewer than 5 people" in main.inner_text()
    # The chart is an image with a text alternative, and its figures are in the table too.
    # (Once another test has recorded a new review, this cycle has no answers yet and the
    # demo's figures are in the "Cycle before" column, with no chart.)
    table = page.locator("table:has(#clauses-caption)")
    assert re.search(r"\d+%", table.inner_text())
    chart = page.locator("svg.chart[role=img]")
    if chart.count():
        first_bar = chart.locator("text.chart-label").first.text_content()
        assert first_bar.rstrip("…") in table.locator("tbody th").first.inner_text()
        # On a phone the chart keeps its labels at 12 px or more (its region scrolls
        # sideways), and the page itself never does.
        page.set_viewport_size({"width": 320, "height": 640})
        smallest = page.evaluate("""() => {
            const svg = document.querySelector('svg.chart-understanding');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return Math.min(...[...svg.querySelectorAll('text')].map(
                (t) => parseFloat(getComputedStyle(t).fontSize) * scale)); }""")
        assert smallest >= 12, smallest
        assert page.evaluate(
            "() => document.documentElement.scrollWidth - "
            "document.documentElement.clientWidth") <= 0
        page.set_viewport_size({"width": 1280, "height": 900})
    # A clause's details open on the page, with the breakdown by school.
    page.locator("details summary").first.click()
    assert OTHER_SCHOOLS[0] in page.locator("details[open]").first.inner_text()
    arrived(page, "hr-understanding-details", once=False)

    open_hr_section(page, "Questions", "hr-questions", docs=True)
    assert page.locator("h1").inner_text() == "Question statistics"
    # The current cycle's first attempts: none yet if another test recorded a new review.
    text = page.locator("main").inner_text()
    assert "fewer than 5 people" in text
    assert ("Nobody has submitted a first attempt" in text
            or "Facility" in page.locator("main table").first.inner_text())


def test_a_head_teacher_sees_understanding_only_for_their_school(page, live_server):
    sign_in(page, live_server.people["head"])
    open_completion(page)
    open_hr_section(page, "Understanding", "hr-understanding-head")
    text = page.locator("main").inner_text()
    assert not any(school in text for school in OTHER_SCHOOLS)
    assert page.locator("nav.subnav a:text-is('Questions')").count() == 0
