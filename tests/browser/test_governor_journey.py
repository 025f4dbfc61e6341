"""A governor sees only the governors' track, completes it and gets the certificate."""

from __future__ import annotations

from browser.journeys import (
    arrived,
    download_certificate,
    pdf_text,
    sign_in,
    take_track,
    track_titles,
    visit,
)


def test_governor_sees_only_the_governor_track_and_completes_it(page, live_server):
    content = live_server.content
    sign_in(page, live_server.people["governor"])
    name = page.locator("h1").inner_text().removeprefix("Hello, ")
    assert track_titles(page) == ["Governors’ training"]
    arrived(page, "home-governor", docs=True)
    nav = page.locator("nav[aria-label=Main]").inner_text()
    assert "HR" not in nav

    # A staff unit is not theirs: it is not there at all.
    visit(page, "/units/pupil-friend-request", "not-found", status=404)
    visit(page, "/")

    take_track(page, content, "governor")
    assert "3 of 3 scenarios passed" in page.locator("section.track").inner_text()
    pdf = download_certificate(page, "Governors’ training", "governor")
    text = pdf_text(pdf)
    assert name in text and "Governors" in text
