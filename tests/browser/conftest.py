"""Browser tests: one live server and one Chromium for the session, a fresh context per test.

Every test here is marked `browser`. When Chromium is missing they are skipped with a loud
message saying how to install it (`make test` installs it when run as root).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    A11yTracker,
    chromium_problem,
    start_live_server,
)
from browser.vnu import COLLECTOR, vnu_problem

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    problem = chromium_problem()
    if problem and os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests. " + problem)
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            if problem:
                item.add_marker(pytest.mark.skip(reason=problem))


def pytest_terminal_summary(terminalreporter):
    problem = chromium_problem()
    if problem:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(problem, red=True, bold=True)
    elif vnu_problem() and COLLECTOR.urls:
        terminalreporter.write_sep("!", "HTML CHECKER SKIPPED", red=True, bold=True)
        terminalreporter.write_line(vnu_problem(), red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def html_checked():
    """At the end of the session, the Nu HTML Checker on every distinct page axe checked:
    0 errors, as axe has 0 violations (one vnu run for all pages, for speed)."""
    yield COLLECTOR
    problem = vnu_problem()
    if problem:
        if os.environ.get("CI") and COLLECTOR.urls:
            raise AssertionError("CI must run the Nu HTML Checker. " + problem)
        return
    errors = COLLECTOR.errors()
    assert not errors, (f"the Nu HTML Checker found {len(errors)} error(s) on "
                        f"{len(COLLECTOR.urls)} pages:\n" + "\n".join(errors[:80]))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Open pages in fresh contexts (own cookies); each page's visits must all be axe-checked.

    `new_page(width=375)` gives a phone-sized page. Returns (page, tracker).
    """
    opened = []

    def make(width: int = 1280, height: int = 900, javascript: bool = True, check: bool = True):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height},
            accept_downloads=True, java_script_enabled=javascript, locale="en-GB",
            timezone_id="Europe/London", reduced_motion="reduce")
        context.set_default_timeout(15_000)
        page = context.new_page()
        tracker = A11yTracker(page) if check else None
        if tracker is not None:
            tracker.on_checked = COLLECTOR.add
        opened.append((context, tracker))
        page.a11y = tracker
        return page

    yield make
    failures = []
    for context, tracker in opened:
        if tracker is not None:
            try:
                tracker.assert_all_checked()
            except AssertionError as exc:
                failures.append(str(exc))
        context.close()
    assert not failures, "\n".join(failures)


@pytest.fixture
def page(new_page):
    return new_page()
