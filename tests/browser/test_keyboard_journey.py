"""The staff journey again with the keyboard alone: Tab, Shift+Tab, Space, Enter, arrows."""

from __future__ import annotations

from browser.journeys import (
    assert_focus_visible,
    focused_matches,
    pdf_text,
    press_to_navigate,
    sign_in_by_keyboard,
    skip_to_main,
    tab_to,
    take_track_by_keyboard,
    track_titles,
    visit,
)


def test_staff_journey_with_the_keyboard_alone(page, live_server, tmp_path):
    content = live_server.content
    sign_in_by_keyboard(page, live_server.people["staff_keyboard"])
    name = page.locator("h1").inner_text().removeprefix("Hello, ")
    assert track_titles(page) == ["Staff training"]

    take_track_by_keyboard(page, content, "staff", fail_first=True)
    assert "12 of 12 scenarios passed" in page.locator("section.track").inner_text()

    # The certificate, downloaded with Enter on its link.
    skip_to_main(page)
    tab_to(page, "main a[href$='.pdf']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    assert name in pdf_text(pdf)

    # Shift+Tab walks back up to the navigation; signing out with Enter.
    tab_to(page, "nav button", backwards=True)
    press_to_navigate(page)
    assert "signed out" in page.locator(".notice").inner_text()


def test_a_missing_answer_is_reported_and_fixed_with_the_keyboard(page, live_server):
    """Saving with no answer shows the error summary; its link takes focus to the answer."""
    sign_in_by_keyboard(page, live_server.people["dsl"])
    visit(page, "/units/disclosure-from-parent")
    skip_to_main(page)
    tab_to(page, "form[action$='/start'] button")
    press_to_navigate(page)
    skip_to_main(page)
    tab_to(page, "button[name=go][value=back]")
    tab_to(page, "button[name=go][value=next]", backwards=True)
    press_to_navigate(page)  # nothing chosen
    assert page.locator(".error-summary").count() == 1
    assert page.title().startswith("Error: ")
    # The summary has focus already: the next Tab reaches its link.
    assert focused_matches(page, ".error-summary"), "the error summary does not take focus"
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert focused_matches(page, "#answer-0"), "the error link does not focus the answer"
    assert_focus_visible(page)
