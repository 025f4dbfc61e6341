"""The look at phone width (reflow, no sideways scrolling), and pages without JavaScript."""

from __future__ import annotations

from browser.journeys import (
    answer_with_mouse,
    arrived,
    click_to,
    plan_answer,
    question_on_page,
    sign_in,
    visit,
)

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _fits(page) -> None:
    extra = page.evaluate(OVERFLOW)
    assert extra <= 0, f"{page.url} scrolls sideways by {extra}px at this width"


def test_pages_fit_a_phone_screen(new_page, live_server):
    page = new_page(width=375, height=812)
    visit(page, "/sign-in", "sign-in-phone")
    _fits(page)
    sign_in(page, live_server.people["staff_phone"])
    arrived(page, "home-phone", docs=True)
    _fits(page)
    click_to(page, 'main a[href="/units/class-account"]', "unit-phone")
    _fits(page)
    click_to(page, "form[action$='/start'] button", "question-phone", docs=True)
    _fits(page)
    visit(page, "/policy")
    _fits(page)
    visit(page, "/verify")
    _fits(page)


def test_content_reflows_at_320_css_pixels(new_page, live_server):
    """WCAG 1.4.10: at 320 CSS pixels wide nothing needs scrolling sideways."""
    page = new_page(width=320, height=640)
    sign_in(page, live_server.people["staff_phone"])
    _fits(page)
    for path in ("/policy", "/verify", "/units/class-account"):
        visit(page, path)
        _fits(page)


def test_a_unit_can_be_taken_without_javascript(new_page, live_server):
    page = new_page(javascript=False, check=False)  # axe needs JavaScript in the page
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(live_server.people["staff_nojs"])
    page.get_by_label("Password", exact=True).fill("learn-the-policy")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text().startswith("Hello")
    page.click('main a[href="/units/night-out-photos"]')
    page.click("form[action$='/start'] button")
    question = question_on_page(page, live_server.content, "night-out-photos")
    plan = plan_answer(question, right=True)
    answer_with_mouse(page, plan)
    page.click("button[name=go][value=next]")
    assert "Question 2 of 5" in page.locator(".progress-label").inner_text()
    page.click("button[name=go][value=back]")  # back keeps the answer given
    assert "Question 1 of 5" in page.locator(".progress-label").inner_text()
    for oid in plan.choose:
        assert page.is_checked(f'input[name=answer][value="{oid}"]')
    page.click("summary")  # the situation opens without script
    assert page.locator("details.scenario-reminder p").first.is_visible()
