"""The machinery of the browser tests: the live server, Chromium, axe-core, screenshots.

Nothing here knows about a particular page; `journeys.py` drives the pages.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ELEARN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu"]
INSTALL_HINT = ("Chromium is not installed, so the browser tests are SKIPPED. Install it with:\n"
                "    sudo apt-get update && sudo apt-get install -y chromium\n"
                "(`make test` does this itself when run as root; CI always runs them.)")

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_URL = "/__tests__/axe.min.js"  # served by the test server only, never by the app
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_DOCS = os.environ.get("ELEARN_UPDATE_SCREENSHOTS") == "1"

DEMO_PASSWORD = "learn-the-policy"


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return INSTALL_HINT
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run .venv/bin/pip install -e '.[test]'."
    return None


# --- The app, served for real -----------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):  # one line per request is only noise here
        pass


@dataclass
class LiveServer:
    """The real app on 127.0.0.1, with the real content and the demo trust."""

    app: Flask
    url: str
    people: dict[str, str]  # what -> email, e.g. "staff" -> ava.evans@hollybrook.example.org
    _server: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)

    @property
    def content(self):
        return self.app.extensions["elearn_content"]

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


def start_live_server(tmp: Path, environ: dict[str, str] | None = None, *,
                      seed: bool = True) -> LiveServer:
    """`environ` adds ELEARN_* settings; `seed=False` skips the demo's progress (faster)."""
    server = make_server("127.0.0.1", 0, None, threaded=True, request_handler=_QuietHandler)
    try:
        return _serve(server, tmp, environ or {}, seed)
    except BaseException:
        server.server_close()
        raise


def _serve(server, tmp: Path, environ: dict[str, str], seed: bool) -> LiveServer:
    from flask_migrate import upgrade
    from helpers import SIGNING_PASSWORD, signing_identity
    from sqlalchemy import select

    from elearn import create_app
    from elearn.current import renderer
    from elearn.demo import load_demo, seed_progress
    from elearn.extensions import db
    from elearn.models import Person, Role, School, utcnow

    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app({
        "ENVIRON": {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "browser-" + "x" * 40,
                    **environ},
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.sqlite'}",
        "CONTENT_DIR": str(ROOT / "modules"),
        "BASE_URL": url,
        "MAIL_SERVER": None,
        "SIGNING_P12": str(signing_identity()),
        "SIGNING_PASSWORD": SIGNING_PASSWORD,
    })
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with app.app_context():
        upgrade(directory=str(Path(app.root_path) / "migrations"))
        policy = app.extensions["elearn_content"].policy
        sign_ins = load_demo(db.session, policy, date.today())
        db.session.flush()
        if seed:  # as `make run` does: two schools part-way through, the first untouched
            seed_progress(db.session, app.extensions["elearn_content"], renderer(), url,
                          date.today(), utcnow())
        db.session.commit()
        first_school = db.session.scalar(select(School).where(School.is_central.is_(False))
                                         .order_by(School.id))
        staff = [p for p in db.session.scalars(select(Person).where(
            Person.school_id == first_school.id).order_by(Person.id))
            if p.roles == {Role.STAFF}]
        governors = [p for p in db.session.scalars(select(Person).where(
            Person.school_id == first_school.id).order_by(Person.id))
            if p.roles == {Role.GOVERNOR}]
    by_label = {what.split(",")[0].split(" (")[0]: email for what, email in sign_ins}
    people = {
        "hr": by_label["HR officer"],
        "admin": by_label["Administrator"],
        "head": by_label["Head teacher"],
        "dsl": by_label["DSL"],
        "staff": staff[0].email,
        "staff_keyboard": staff[1].email,
        "staff_phone": staff[2].email,
        "staff_nojs": staff[3].email,
        "staff_lunch": staff[4].email,
        "governor": governors[0].email,
        "governor_verify": governors[1].email,
        "school": first_school.name,
    }
    server.app = _with_axe(app)
    thread = threading.Thread(target=server.serve_forever, name="elearn-live", daemon=True)
    thread.start()
    return LiveServer(app=app, url=url, people=people, _server=server, _thread=thread)


def _with_axe(app):
    """Serve our vendored axe-core beside the app, so pages load it like any same-origin
    script (allowed by the CSP's script-src 'self') and Chromium caches its compiled code."""
    body = AXE_JS.read_bytes()
    headers = [("Content-Type", "text/javascript; charset=utf-8"),
               ("Cache-Control", "public, max-age=86400"), ("Content-Length", str(len(body)))]

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == AXE_URL:
            start_response("200 OK", headers)
            return [body]
        return app(environ, start_response)

    return wsgi


# --- axe-core ---------------------------------------------------------------------------------

class A11yTracker:
    """Runs axe on a page and remembers which documents were checked.

    Every document the page navigates to must be checked before the next navigation (or the
    end of the test); `unchecked` lists those that were not, so a journey cannot skip one.
    """

    def __init__(self, page):
        self.page = page
        self.navigations = 0
        self.checked_at = 0
        self.unchecked: list[str] = []
        self.current_url = ""
        self.pages_checked = 0
        self.on_checked = None  # called with (address, HTML) of each page checked: vnu's
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame != self.page.main_frame:
            return
        before, _, _ = self.current_url.partition("#")
        after, hash_mark, _ = frame.url.partition("#")
        if hash_mark and before == after:  # a jump within the page (the skip link): no new page
            self.current_url = frame.url
            return
        if self.navigations > self.checked_at and self.current_url:
            self.unchecked.append(self.current_url)
        self.navigations += 1
        self.current_url = frame.url

    def check(self, what: str = "") -> None:
        page = self.page
        page.wait_for_load_state("load")
        if self.on_checked is not None:  # the page as served, before axe's script is added
            self.on_checked(page.url, page.content())
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE_URL)
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " url: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
            " summary: n.failureSummary}))})))",
            AXE_TAGS)
        self.checked_at = self.navigations
        self.pages_checked += 1
        if result:
            lines = [f"axe found {len(result)} WCAG 2.2 A/AA violation(s) on "
                     f"{what or page.url} ({page.url}):"]
            for v in result:
                lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
                for node in v["nodes"][:10]:
                    lines.append(f"    at {node['target']}: "
                                 + " ".join((node["summary"] or "").split()))
            raise AssertionError("\n".join(lines))

    def assert_all_checked(self) -> None:
        if self.navigations > self.checked_at and self.current_url:
            self.unchecked.append(self.current_url)
        assert not self.unchecked, ("pages visited but never checked with axe: "
                                    + json.dumps(self.unchecked, indent=1))


# --- screenshots ------------------------------------------------------------------------------

def screenshot(page, name: str, *, docs: bool = False, full_page: bool = True) -> Path:
    """Save test-output/screenshots/<name>.png (the whole page); with ELEARN_UPDATE_SCREENSHOTS=1
    and docs=True, also docs/screenshots/<name>.png (the first screenful) for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    if docs and UPDATE_DOCS:  # for the README: what the first screenful looks like
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOTS / path.name), full_page=False,
                        animations="disabled", caret="hide")
    return path


def pdf_snapshot(pdf: Path, name: str, *, docs: bool = False) -> Path | None:
    """The first page of a PDF as test-output/screenshots/<name>.png, via pdftoppm if present."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / name
    subprocess.run([pdftoppm, "-png", "-r", "80", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=60)
    path = stem.with_suffix(".png")
    if docs and UPDATE_DOCS:
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
    return path
