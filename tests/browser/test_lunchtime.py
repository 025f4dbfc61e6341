"""Issue #23, "ten minutes at lunchtime": what a teacher and an HR officer met in the way,
each shown fixed in Chromium (vnu and axe check every page visited, as everywhere here)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from browser.harness import screenshot
from browser.journeys import (
    answer_with_mouse,
    click_to,
    fill_date,
    flash_text,
    go_home,
    open_unit_from_home,
    plan_answer,
    question_on_page,
    sign_in,
    take_unit,
    visit,
)

from elearn.admin.wording import ACTIONS
from elearn.learner.reading import reading_minutes

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
PROGRESS = "() => document.querySelector('progress').value"


def _next_step(page) -> str:
    return page.locator("section.track .next-step a").inner_text()


def test_a_lunchtime_learner_knows_the_job_resumes_first_and_is_offered_the_next(
        new_page, live_server):
    content = live_server.content
    staff = next(t for t in content.tracks if t.id == "staff")
    page = new_page(width=375, height=812)
    sign_in(page, live_server.people["staff_lunch"])

    # 2: the size of the job, that one can stop, where the confirmation is.
    minutes = sum(content.units[u].minutes for u in staff.unit_ids)
    time_left = " ".join(page.locator(".time-left").inner_text().split())
    assert f"12 scenarios left, about {minutes} minutes in all" in time_left, time_left
    assert f"about {reading_minutes(content.policy)} minutes to read" in time_left
    assert "tick box to confirm you have read it is at the end of the policy page" in time_left
    assert "You can stop at any question" in time_left
    # 4: plain words: no "track", "unit", "acknowledge" or a bare version for the learner.
    main = page.locator("main").inner_text()
    assert "approved January 2017" in main and "2017-01" not in main
    for word in ("track", "unit", "acknowledge", "review cycle", "carried over"):
        assert not re.search(rf"\b{word}", main, re.IGNORECASE), word
    first = content.units[staff.unit_ids[0]].title
    assert _next_step(page) == f"Start your first scenario: {first}"

    # 6 and 1: one answer in a later scenario; the bar counts answers; home resumes it first.
    later = "night-out-photos"
    open_unit_from_home(page, later)
    click_to(page, "form[action$='/start'] button")
    assert page.evaluate(PROGRESS) == 0  # question 1 of 5, nothing answered yet
    answer_with_mouse(page, plan_answer(question_on_page(page, content, later), right=True))
    click_to(page, "button[name=go][value=next]")
    assert page.evaluate(PROGRESS) == 1
    assert "1 of 5 answered" in page.locator(".progress-answered").inner_text()
    go_home(page)
    assert _next_step(page) == f"Carry on where you stopped: {content.units[later].title}"
    screenshot(page, "home-resume-phone", docs=True)

    # 3 and 5: pass it; the result offers the next scenario and quotes each clause once.
    click_to(page, "section.track .next-step a")
    take_unit(page, content, later, right=True)
    screenshot(page, "result-phone", docs=True)
    offered = page.locator(".next-step a.button").first
    assert offered.inner_text() == \
        f"Next scenario: {content.units[staff.unit_ids[0]].title}"
    quotes = page.locator("blockquote").all_inner_texts()
    assert quotes and len(quotes) == len(set(quotes)), "a clause is quoted twice"
    cites = {c for q in content.units[later].questions for c in q.cites}
    assert len(quotes) < sum(1 for q in content.units[later].questions for _ in q.cites) \
        or len(cites) == len(quotes)
    # 4: no clause ids in any link's accessible name.
    names = page.evaluate("() => [...document.querySelectorAll('main a')].map(a => a.textContent)")
    assert not [n for n in names if re.search(r"\b[a-z]+\.[a-z-]+\b", n)], names
    click_to(page, ".next-step a.button")
    assert page.locator("h1").inner_text() == content.units[staff.unit_ids[0]].title


def test_the_policy_page_has_no_hash_links_and_says_what_the_version_is(new_page,
                                                                         live_server):
    page = new_page(width=320, height=640)
    sign_in(page, live_server.people["staff_lunch"])
    visit(page, "/policy")
    assert page.locator("main .clauses a").count() == 0  # not 62 "#" tab stops
    lead = page.locator("p.lead").inner_text()
    assert "the current version, approved January 2017" in lead, lead
    assert "The tick box to confirm is at the end of this page" in \
        page.locator("main").inner_text()
    _label_beside_its_box(page, "#confirm")


def _label_beside_its_box(page, selector: str) -> None:
    """13: the label's text starts to the right of its box and never wraps under it."""
    box = page.locator(selector).bounding_box()
    text = page.locator(f"label[for='{selector[1:]}'] .choice-text")
    if not text.count():
        text = page.locator(f"label[for='{selector[1:]}']")
    rects = page.evaluate(
        "(el) => [...el.getClientRects()].map(r => r.left)", text.first.element_handle())
    assert rects and min(rects) >= box["x"] + box["width"], (rects, box)


def test_a_wrong_password_marks_both_fields(new_page, live_server):
    page = new_page(width=320, height=640)
    visit(page, "/sign-in")
    page.get_by_label("Email address").fill(live_server.people["staff_lunch"])
    page.get_by_label("Password", exact=True).fill("not the password")
    click_to(page, "main button[type=submit]")
    assert page.title().startswith("Error: ")
    for field in ("#email", "#password"):
        assert page.locator(field).get_attribute("aria-invalid") == "true", field
        assert page.locator(f"{field}-error").is_visible(), field
    assert page.locator("#email").get_attribute("autocomplete") == "email"
    _label_beside_its_box(page, "#remember")


def test_the_audit_trail_reads_in_plain_words_and_fits(new_page, live_server):
    page = new_page(width=1280)
    sign_in(page, live_server.people["admin"])
    # 12: the administrator's menu stays on one line at 1280 px.
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.nav-list > li')].map(li => li.offsetTop)")
    assert len(set(tops)) == 1, tops
    visit(page, "/admin/audit")
    table = page.locator("table.table-audit")
    text = table.inner_text()
    assert "Signed in" in text and not re.search(r"\b(person|cycle|account):", text), text
    machine = [key for key in ACTIONS if key != "sign-in" and key in text]
    assert not machine, machine
    fits = page.evaluate("""() => { const t = document.querySelector('table.table-audit');
        return t.scrollWidth <= t.parentElement.clientWidth; }""")
    assert fits, "the audit table is wider than its box"
    heights = page.evaluate("""() => [...document.querySelectorAll('table.table-audit tbody tr')]
        .map(r => r.getBoundingClientRect().height)""")
    assert heights and max(heights) < 120, heights  # 250 px before (#23)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(OVERFLOW) <= 0


def test_hr_review_reminders_and_layout_at_320_and_1280(new_page, live_server):
    page = new_page(width=320, height=640)
    sign_in(page, live_server.people["hr"])
    # 10: the banner tells HR what it means, without the setting's name.
    visit(page, "/hr/")
    banner = page.locator(".mail-off").inner_text()
    assert "reach nobody" in banner and "ELEARN_MAIL_SERVER" not in banner
    # 12: the chart's labels are 12 px or more on a phone; captions stay on screen.
    smallest = page.evaluate("""() => {
        const svg = document.querySelector('svg.chart-schools');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Math.min(...[...svg.querySelectorAll('text')].map(
            (t) => parseFloat(getComputedStyle(t).fontSize) * scale)); }""")
    assert smallest >= 12, smallest
    _captions_on_screen(page)
    assert page.evaluate(OVERFLOW) <= 0

    # 12: every column of the people list is on screen at 320 px.
    visit(page, "/hr/people")
    page.locator("table.table-people tbody tr").first.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -60)")
    screenshot(page, "hr-people-phone", docs=True)
    off = page.evaluate("""() => [...document.querySelectorAll('table.table-people td')]
        .filter((td) => td.getBoundingClientRect().right > innerWidth + 1).length""")
    assert off == 0 and page.evaluate(OVERFLOW) <= 0
    _captions_on_screen(page)

    # 10: a reminder needs its box ticked.
    click_to(page, "main table tbody a >> nth=0")
    person = page.locator("h1").inner_text()
    if page.locator("form[action$='/remind'] button").count():
        click_to(page, "form[action$='/remind'] button")
        assert "No reminder was sent" in flash_text(page)
        page.check("#remind-person-confirm")
        click_to(page, "form[action$='/remind'] button")
        assert "Not sent: no mail server is set up" in flash_text(page), person

    # 9: day/month/year boxes; a review dated before the current one is refused there.
    visit(page, "/hr/cycle")
    assert page.locator("input[type=date]").count() == 0
    fill_date(page, "reviewed_on", date.today() - timedelta(days=3000))
    fill_date(page, "next_review", date.today() + timedelta(days=300))
    click_to(page, "form[action*='/hr/review'] button")
    field = page.locator(".field:has(#reviewed_on)")
    assert "A later review" in field.locator(".error-message").inner_text()
    assert page.locator("#reviewed_on").get_attribute("aria-invalid") == "true"
    assert page.locator("#next_review").get_attribute("aria-invalid") is None

    # 12: the review preview's deciding figures are on screen at 320 px.
    fill_date(page, "reviewed_on", date.today())
    fill_date(page, "next_review", date.today() + timedelta(days=300))
    click_to(page, "form[action*='/hr/review'] button")
    cards = page.locator(".choice-figures .stat-card")
    assert cards.count() == 2
    for i in range(2):
        box = cards.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    assert page.evaluate(OVERFLOW) <= 0

    # 12: at 1280 px the wide people list lines up with the header.
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/hr/people")
    lefts = page.evaluate("""() => [document.querySelector('.site-header .container'),
        document.querySelector('main')].map((e) => Math.round(e.getBoundingClientRect().left))""")
    assert lefts[0] == lefts[1], lefts


def _captions_on_screen(page) -> None:
    clipped = page.evaluate("""() => [...document.querySelectorAll('main caption')]
        .filter((c) => !c.classList.contains('visually-hidden'))
        .filter((c) => c.getBoundingClientRect().right > innerWidth + 1)
        .map((c) => c.textContent.trim())""")
    assert not clipped, clipped


def test_an_administrator_is_told_which_setting_sends_email(new_page, live_server):
    page = new_page()
    sign_in(page, live_server.people["admin"])
    visit(page, "/hr/cycle")
    assert "ELEARN_MAIL_SERVER" in page.locator(".mail-off").inner_text()
