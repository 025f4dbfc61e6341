"""A member of staff takes the whole staff track in the browser and gets their certificate."""

from __future__ import annotations

from browser.harness import pdf_snapshot
from browser.journeys import (
    arrived,
    click_to,
    download_certificate,
    flash_text,
    pdf_text,
    sign_in,
    sign_out,
    take_track,
    track_titles,
    visit,
)


def test_staff_takes_the_staff_track_fails_once_retakes_and_downloads_the_certificate(
        page, live_server):
    content = live_server.content
    email = live_server.people["staff"]

    visit(page, "/", None)  # not signed in: sent to sign in
    assert page.url.endswith("/sign-in?next=%2F") or "/sign-in" in page.url
    sign_in(page, email, shot=True)
    name = page.locator("h1").inner_text().removeprefix("Hello, ")
    assert track_titles(page) == ["Staff training"]
    arrived(page, "home-start")

    take_track(page, content, "staff", fail_first=True, shots=True, home_shot_after=3)

    assert "12 of 12 scenarios passed" in page.locator("section.track").inner_text()
    certificates = page.locator("section[aria-labelledby=certs]")
    assert "Staff training" in certificates.inner_text()
    assert "Valid" in certificates.inner_text()
    arrived(page, "home-complete", docs=True)

    pdf = download_certificate(page, "Staff training", "staff")
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert name in text, text
    assert "Staff track" in text
    pdf_snapshot(pdf, "certificate", docs=True)

    click_to(page, "nav a:has-text('Read the policy')", "policy")
    assert page.locator("h1").inner_text()
    sign_out(page)
    assert "signed out" in flash_text(page)
