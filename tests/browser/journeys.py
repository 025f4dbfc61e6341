"""What a person does in the browser, as small reusable steps.

Every step that lands on a new page calls `arrived()`, which runs axe on it (a page left
unchecked fails the test, see harness.A11yTracker) and can save a screenshot.

Two ways to drive the quiz: with the mouse (`take_unit`) and with the keyboard alone
(`take_unit_by_keyboard`). Both read the right answers from the loaded content and the
shown order from the page: choice inputs have value=<option id>, ordering questions are
<select name="position-<option id>"> with positions 1..N.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from browser.harness import DEMO_PASSWORD, OUTPUT, screenshot

from elearn.content.model import Content, Question, QuestionKind

_taken: set[str] = set()  # screenshots already saved in this run


def arrived(page, shot: str | None = None, *, docs: bool = False, once: bool = True) -> None:
    """The page has loaded: check it with axe; save a screenshot named `shot` if given."""
    page.a11y.check(shot or "")
    if shot and not (once and shot in _taken):
        _taken.add(shot)
        screenshot(page, shot, docs=docs)


def visit(page, path: str, shot: str | None = None, *, docs: bool = False, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path}: expected {status}, got {response.status if response else None}")
    arrived(page, shot, docs=docs)
    return response


def click_to(page, selector: str, shot: str | None = None, *, docs: bool = False) -> None:
    """Click something that loads a new page, then check the page."""
    with page.expect_navigation():
        page.click(selector)
    arrived(page, shot, docs=docs)


def fill_date(page, field_id: str, day: date) -> None:
    """Type a date into a day/month/year field (the GOV.UK date pattern)."""
    page.fill(f"#{field_id}", str(day.day))
    page.fill(f"#{field_id}-month", str(day.month))
    page.fill(f"#{field_id}-year", str(day.year))


def flash_text(page) -> str:
    return " ".join(page.locator(".notice").all_inner_texts())


# --- signing in and out -----------------------------------------------------------------------

def sign_in(page, email: str, password: str = DEMO_PASSWORD, *, shot: bool = False) -> None:
    visit(page, "/sign-in", "sign-in" if shot else None, docs=shot)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    click_to(page, "main button[type=submit]")
    # Learners land on their training; HR officers with none of their own on the overview.
    assert page.locator("h1").inner_text().startswith(("Hello", "Training completion")), page.url


def sign_out(page) -> None:
    click_to(page, "button:has-text('Sign out')")
    assert "You have signed out" in flash_text(page)


# --- the learner's home -----------------------------------------------------------------------

def track_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("section.track h2").all_inner_texts()]


def unit_status(page, unit_id: str) -> str:
    """The status shown beside a unit ("scenario") on the home page."""
    item = page.locator("li.unit-item", has=page.locator(f'a[href="/units/{unit_id}"]'))
    return " ".join(item.locator(".status").inner_text().split())


# --- answering --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """What to give for one question: options to select, or positions for ordering."""

    question: Question
    choose: tuple[str, ...] = ()
    positions: tuple[tuple[str, int], ...] = ()


def plan_answer(question: Question, right: bool) -> Plan:
    if question.kind is QuestionKind.ORDERING:
        order = list(question.correct_ids)
        if not right:
            order.reverse()
        return Plan(question, positions=tuple((oid, n) for n, oid in enumerate(order, 1)))
    correct = list(question.correct_ids)
    wrong = [o.id for o in question.options if o.id not in correct]
    if right:
        return Plan(question, choose=tuple(correct))
    if question.kind is QuestionKind.MULTIPLE:
        return Plan(question, choose=tuple(wrong) if wrong else tuple(correct[:1]))
    return Plan(question, choose=(wrong[0],))


def _norm(text: str) -> str:
    return " ".join(text.split())


def question_on_page(page, content: Content, unit_id: str) -> Question:
    prompt = _norm(page.locator("h1.question-prompt").inner_text())
    for q in content.units[unit_id].questions:
        if _norm(q.prompt) == prompt:
            return q
    raise AssertionError(f"no question of {unit_id} reads {prompt!r}")


def question_number(page) -> tuple[int, int]:
    match = re.search(r"Question (\d+) of (\d+)", page.locator(".progress-label").inner_text())
    assert match, "no 'Question n of N' on the page"
    return int(match.group(1)), int(match.group(2))


def answer_with_mouse(page, plan: Plan) -> None:
    for oid in plan.choose:
        page.check(f'input[name=answer][value="{oid}"]')
    for oid, position in plan.positions:
        page.select_option(f'select[name="position-{oid}"]', str(position))


def take_unit(page, content: Content, unit_id: str, *, right: bool = True,
              shots: bool = False) -> None:
    """From the unit's page: start (or retake), answer every question, check, submit.

    Ends on the result page. With `right=False` every answer is wrong, so the unit fails.
    """
    click_to(page, "form[action$='/start'] button", "unit" if shots else None)
    while "/questions/" in page.url:
        number, total = question_number(page)
        question = question_on_page(page, content, unit_id)
        answer_with_mouse(page, plan_answer(question, right))
        shot = f"question-{question.kind.value}"
        if shots and shot not in _taken:  # one of each kind of question per run
            _taken.add(shot)
            screenshot(page, shot, docs=question.kind is QuestionKind.MULTIPLE)
        click_to(page, "button[name=go][value=next]")
        if "/questions/" in page.url:
            assert question_number(page)[0] == number + 1
    assert page.url.endswith("/check"), page.url
    if shots and "check" not in _taken:
        _taken.add("check")
        screenshot(page, "check")
    assert page.locator(".missing").count() == 0
    click_to(page, "form[action$='/submit'] button")
    verdict = page.locator(".result-verdict").inner_text()
    assert verdict == ("Passed" if right else "Not passed yet"), verdict


def open_unit_from_home(page, unit_id: str, shot: str | None = None) -> None:
    click_to(page, f'main a[href="/units/{unit_id}"]', shot)


def go_home(page) -> None:
    click_to(page, "nav a:has-text('My training')")


def acknowledge_policy(page, shot: str | None = None) -> None:
    """From the home page, read the policy and confirm "I have read and understood" it."""
    click_to(page, "main a:has-text('Read the policy and confirm')")
    page.get_by_label("I have read and understood this version of the policy").check()
    if shot and shot not in _taken:
        _taken.add(shot)
        page.locator("#acknowledge").scroll_into_view_if_needed()
        screenshot(page, shot, docs=True, full_page=False)
    click_to(page, "form[action*='/policy/acknowledge'] button")
    assert "you have confirmed you have read the policy" in flash_text(page), flash_text(page)


def take_track(page, content: Content, track_id: str, *, fail_first: bool = False,
               shots: bool = False, home_shot_after: int | None = None) -> None:
    """From the home page, read and acknowledge the policy, then pass every unit of the
    track; fail the first one once first."""
    track = next(t for t in content.tracks if t.id == track_id)
    acknowledge_policy(page, "policy-acknowledge" if shots else None)
    for index, unit_id in enumerate(track.unit_ids):
        open_unit_from_home(page, unit_id)
        if fail_first and index == 0:
            take_unit(page, content, unit_id, right=False, shots=shots)
            if shots and "result-fail" not in _taken:
                _taken.add("result-fail")
                screenshot(page, "result-fail", docs=True)
            go_home(page)
            assert unit_status(page, unit_id) == "Status: Not passed yet: retake"
            open_unit_from_home(page, unit_id, "unit-retake" if shots else None)
            assert page.locator("form[action$='/start'] button").inner_text() == \
                "Retake this scenario"
        take_unit(page, content, unit_id, right=True, shots=shots)
        if shots and "result-pass" not in _taken:
            _taken.add("result-pass")
            screenshot(page, "result-pass", docs=True)
        go_home(page)
        assert unit_status(page, unit_id) == "Status: Passed"
        if home_shot_after is not None and index + 1 == home_shot_after:
            arrived(page, "home", docs=True)


def download_certificate(page, track_title: str, name: str) -> Path:
    """Download the PDF certificate of a track from the home page; return where it is."""
    link = page.locator("a", has_text=f"certificate for {track_title}")
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = OUTPUT / "certificates" / f"{name}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    return target


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return _norm(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


# --- the keyboard alone -----------------------------------------------------------------------

FOCUS_PROBLEM = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'nothing has focus';
  if (!e.matches(':focus-visible')) return 'focus is not visible (:focus-visible does not match)';
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  if (!outline && s.boxShadow === 'none')
    return 'no focus indicator on ' + e.outerHTML.slice(0, 80);
  // WCAG 2.2 (1.4.11, 2.4.13): some part of the indicator contrasts 3:1 with the white page:
  // the outline's colour, or a ring drawn by a box-shadow (a shadow offset below is no ring).
  const lum = (rgb) => {
    const [r, g, b] = rgb.split(',').map((v) => parseFloat(v) / 255).map(
      (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (rgb) => 1.05 / (lum(rgb) + 0.05);
  const colours = [];
  if (outline) colours.push(s.outlineColor.match(/rgba?\(([^)]+)\)/)[1]);
  for (const m of s.boxShadow.matchAll(/rgba?\(([^)]+)\) 0px 0px \S+ (\d+(?:\.\d+)?)px/g))
    if (parseFloat(m[2]) >= 2) colours.push(m[1]);
  if (!colours.some((c) => contrast(c) >= 3))
    return 'focus indicator contrasts less than 3:1 with the page on ' + e.outerHTML.slice(0, 80);
  const r = e.getBoundingClientRect();
  if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth)
    return 'focused element is off screen: ' + e.outerHTML.slice(0, 80);
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  if (top && top !== e && !e.contains(top) && !(top.control === e)
      && !(top.closest('label') && top.closest('label').control === e))
    return 'focused element is covered by ' + top.outerHTML.slice(0, 80);
  return null;
}"""


def assert_focus_visible(page) -> None:
    problem = page.evaluate(FOCUS_PROBLEM)
    assert problem is None, f"{page.url}: {problem}"


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    if focused_matches(page, selector):
        assert_focus_visible(page)
        return
    for _ in range(limit):
        page.keyboard.press(key)
        if focused_matches(page, selector):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{page.url}: {key} never reached {selector}")


def skip_to_main(page) -> None:
    """First Tab on a fresh page shows the skip link; Enter moves focus to the main content."""
    page.keyboard.press("Tab")
    assert focused_matches(page, "a.skip-link"), "the first Tab does not reach the skip link"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused_matches(page, "main#main"), "the skip link does not move focus to main"


def press_to_navigate(page, key: str = "Enter", shot: str | None = None) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    arrived(page, shot)


def sign_in_by_keyboard(page, email: str, password: str = DEMO_PASSWORD) -> None:
    visit(page, "/sign-in")
    skip_to_main(page)
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(password)
    tab_to(page, "main button[type=submit]")
    press_to_navigate(page)
    assert page.locator("h1").inner_text().startswith("Hello")


def answer_by_keyboard(page, plan: Plan) -> None:
    kind = plan.question.kind
    if kind is QuestionKind.ORDERING:
        for oid, position in plan.positions:
            selector = f'select[name="position-{oid}"]'
            tab_to(page, selector)
            for _ in range(position):
                page.keyboard.press("ArrowDown")
            value = page.evaluate("(s) => document.querySelector(s).value", selector)
            assert value == str(position), f"ArrowDown gave position {value!r}, not {position}"
    elif kind is QuestionKind.MULTIPLE:
        # Walk forward through the checkboxes in the order shown, ticking the planned ones.
        shown = page.evaluate(
            "() => [...document.querySelectorAll('input[name=answer]')].map(i => i.value)")
        for oid in shown:
            if oid in plan.choose:
                tab_to(page, f'input[name=answer][value="{oid}"]')
                page.keyboard.press("Space")
    else:
        [target] = plan.choose
        shown = page.evaluate(
            "() => [...document.querySelectorAll('input[name=answer]')].map(i => i.value)")
        tab_to(page, "input[name=answer]")  # Tab enters the radio group once
        here = page.evaluate("() => document.activeElement.value")
        step = shown.index(target) - shown.index(here)
        for _ in range(abs(step)):
            page.keyboard.press("ArrowDown" if step > 0 else "ArrowUp")
        page.keyboard.press("Space")
        assert_focus_visible(page)
    chosen = page.evaluate(
        "() => [...document.querySelectorAll('input[name=answer]:checked')].map(i => i.value)")
    if kind is not QuestionKind.ORDERING:
        assert sorted(chosen) == sorted(plan.choose), (chosen, plan.choose)


def take_unit_by_keyboard(page, content: Content, unit_id: str, *, right: bool = True) -> None:
    """From the unit's page, with keys only: start, answer, check, submit; ends on the result."""
    skip_to_main(page)
    tab_to(page, "form[action$='/start'] button")
    press_to_navigate(page)
    while "/questions/" in page.url:
        question = question_on_page(page, content, unit_id)
        skip_to_main(page)
        answer_by_keyboard(page, plan_answer(question, right))
        tab_to(page, "button[name=go][value=next]")
        press_to_navigate(page)
    assert page.url.endswith("/check"), page.url
    skip_to_main(page)
    tab_to(page, "form[action$='/submit'] button")
    press_to_navigate(page)
    verdict = page.locator(".result-verdict").inner_text()
    assert verdict == ("Passed" if right else "Not passed yet"), verdict


def acknowledge_policy_by_keyboard(page) -> None:
    """Home → the policy → the in-page link to the confirmation → tick → confirm."""
    skip_to_main(page)
    tab_to(page, "main a[href='/policy']")
    press_to_navigate(page)
    skip_to_main(page)
    tab_to(page, "main a[href='#acknowledge']")
    page.keyboard.press("Enter")  # an in-page link: focus moves on from the section
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    assert page.locator("#confirm").is_checked()
    tab_to(page, "form[action*='/policy/acknowledge'] button")
    press_to_navigate(page)
    assert "you have confirmed you have read the policy" in flash_text(page), flash_text(page)


def take_track_by_keyboard(page, content: Content, track_id: str, *,
                           fail_first: bool = False) -> None:
    track = next(t for t in content.tracks if t.id == track_id)
    acknowledge_policy_by_keyboard(page)
    for index, unit_id in enumerate(track.unit_ids):
        skip_to_main(page)
        tab_to(page, f'main a[href="/units/{unit_id}"]')
        press_to_navigate(page)
        if fail_first and index == 0:
            take_unit_by_keyboard(page, content, unit_id, right=False)
            skip_to_main(page)
            tab_to(page, "form[action$='/start'] button")  # "Retake this scenario"
            press_to_navigate(page)
            # The retake starts at question 1 of a new attempt: go back to the unit page
            # the keyboard way (the breadcrumb) so take_unit_by_keyboard starts as usual.
            skip_to_main(page)
            tab_to(page, "p.breadcrumb a")
            press_to_navigate(page)
        take_unit_by_keyboard(page, content, unit_id, right=True)
        skip_to_main(page)
        tab_to(page, "main a.button[href='/']")  # "Back to my training"
        press_to_navigate(page)
        assert unit_status(page, unit_id) == "Status: Passed"


# --- certificates made without the browser (for tests that only need one to exist) ------------

def pass_track_directly(server, email: str, track_id: str) -> list[str]:
    """Pass every unit of a track for a person through the services, as if they had taken
    it; returns the codes of the certificates issued. For seeding verify and HR tests."""
    from sqlalchemy import select

    from elearn.certification.services import complete_tracks
    from elearn.current import renderer
    from elearn.cycles.rules import current_cycle
    from elearn.extensions import db
    from elearn.learner.acknowledgement import acknowledge
    from elearn.models import Person, utcnow
    from elearn.quiz import attempts as service

    content = server.content
    track = next(t for t in content.tracks if t.id == track_id)
    today = date.today()
    with server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        cycle = current_cycle(db.session)
        for unit_id in track.unit_ids:
            unit = content.units[unit_id]
            attempt = service.start_attempt(db.session, content, person, cycle, unit_id,
                                            today, utcnow())
            db.session.flush()
            for qid in attempt.question_ids:
                service.save_answer(db.session, content, person, cycle, attempt.id, qid,
                                    list(unit.question(qid).correct_ids), today, utcnow())
            service.submit_attempt(db.session, content, person, cycle, attempt.id, today,
                                   utcnow())
            db.session.commit()
        acknowledge(db.session, person, cycle, today, utcnow())
        issued = complete_tracks(db.session, content, renderer(), person, cycle, today,
                                 utcnow(), server.app.config["BASE_URL"])
        db.session.commit()
        codes = [c.code for c in issued]
        db.session.remove()
    return codes


# --- the completion dashboard (elearn/hr: /hr/ overview, /hr/people, exports, import) -------

def open_completion(page, shot: str | None = None, *, docs: bool = False) -> None:
    """From any page: the main nav's "Completion" link (HR and head teachers) → /hr/."""
    click_to(page, "nav[aria-label=Main] a:has-text('Completion')", shot, docs=docs)
    assert page.locator("h1").inner_text().startswith("Training completion"), page.url


def open_hr_section(page, link: str, shot: str | None = None, *, docs: bool = False) -> None:
    """A link of the HR sub-navigation: Overview, People, Import staff, Review cycle..."""
    click_to(page, f"nav.subnav a:text-is('{link}')", shot, docs=docs)


def hr_filter_dashboard(page, *, school: str | None = None, role: str | None = None,
                        track: str | None = None, status: str | None = None,
                        search: str | None = None, shot: str | None = None) -> None:
    """On /hr/people, choose filters (by their shown labels) and apply them: a GET form, so
    the URL keeps them. Reloads the page."""
    for label, value in (("School", school), ("Role", role), ("Track", track),
                         ("Status", status)):
        if value is not None:
            page.get_by_label(label, exact=True).select_option(label=value)
    if search is not None:
        page.get_by_label("Name or email", exact=True).fill(search)
    click_to(page, "form[role=search] button:text-is('Apply filters')", shot)


HR_ROWS = """() => {
  const text = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.visually-hidden, .cell-note').forEach((n) => n.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const table = document.querySelector('main table.table-people');
  if (!table) return [];
  const headers = [...table.querySelectorAll('thead th')].map(text);
  return [...table.querySelectorAll('tbody tr')].map((tr) => {
    const row = {};
    [...tr.querySelectorAll('th, td')].forEach((cell, i) => { row[headers[i]] = text(cell); });
    return row;
  });
}"""


def hr_dashboard_rows(page) -> list[dict[str, str]]:
    """The people table as a list of {column header: cell text}, without the text kept for
    screen readers (", select to sort") or the job title under the name."""
    return page.evaluate(HR_ROWS)


def hr_result_count(page) -> str:
    return _norm(page.locator("p.result-count").inner_text())


def hr_export_csv(page, name: str = "people") -> list[dict[str, str]]:
    """Download the people list, as filtered, through its CSV link; save it under
    test-output/downloads/<name>.csv and return its rows (header row checked)."""
    import csv
    import io

    from elearn.hr.exports import HEADER

    with page.expect_download() as info:
        page.locator("p.downloads").get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    assert download.suggested_filename.startswith("training-completion-"), \
        download.suggested_filename
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    target = OUTPUT / "downloads" / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV has no UTF-8 byte-order mark for Excel"
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(lines[0]) == HEADER, lines[0]
    return [dict(zip(HEADER, line, strict=True)) for line in lines[1:]]


def hr_import_staff(page, csv_path: Path, shot: str | None = None) -> None:
    """On /hr/import, choose the file and press "Check the file": lands on the import page
    again with the problems listed (nothing imported) or on the preview, /hr/import/<id>."""
    page.get_by_label("CSV file", exact=True).set_input_files(str(csv_path))
    click_to(page, "main form[enctype='multipart/form-data'] button:text-is('Check the file')",
             shot)


def hr_import_errors(page) -> list[str]:
    return [_norm(t) for t in page.locator("ul.row-errors li").all_inner_texts()]


def people_of_school(server, school_name: str) -> tuple[int, dict[int, tuple[str, str]]]:
    """(the school's id, {person id: (email, name)} of its active people), from the database."""
    from sqlalchemy import select

    from elearn.extensions import db
    from elearn.models import Person, School

    with server.app.app_context():
        school = db.session.scalar(select(School).where(School.name == school_name))
        people = {p.id: (p.email, p.name) for p in db.session.scalars(
            select(Person).where(Person.school_id == school.id, Person.active.is_(True)))}
        school_id = school.id
        db.session.remove()
    return school_id, people
