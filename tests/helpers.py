"""Helpers for tests that drive the app like a browser does, or serve it for real."""

import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from werkzeug.datastructures import MultiDict

from elearn.certification.signing import make_development_identity
from elearn.extensions import db as _db

# Set to a PostgreSQL server URL to run the suite on PostgreSQL instead of SQLite files:
# each test then gets a database of its own, created and dropped around it.
POSTGRES_URL = os.environ.get("ELEARN_TEST_POSTGRES_URL")

PASSWORD = "correct horse battery"

SIGNING_PASSWORD = "test-signing-password"


@functools.cache
def signing_identity() -> Path:
    """A self-signed signing identity for every app the tests make, made once a session
    (as `make run` makes one in instance/)."""
    path = Path(tempfile.mkdtemp(prefix="elearn-signing-")) / "signing.p12"
    make_development_identity(path, SIGNING_PASSWORD, "L.E.A.D. Academy Trust")
    return path


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/sign-in")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page), **extra}
    return client.post("/sign-in", data=data)


def revoke_as(hr_client, code: str, reason: str):
    """Revoke a certificate as HR does: the form, then the confirmation page's button."""
    page = hr_client.get("/hr/cycle")
    data = {"csrf_token": csrf_token(page), "code": code, "reason": reason}
    confirm = hr_client.post("/hr/certificates/revoke", data=data)
    assert confirm.status_code == 200 and "This cannot be undone" in confirm.get_data(
        as_text=True)
    return hr_client.post("/hr/certificates/revoke", data={
        **data, "csrf_token": csrf_token(confirm), "confirm": "yes"})


def acknowledge(client):
    """Read the policy page and confirm "I have read and understood" it."""
    page = client.get("/policy")
    return client.post("/policy/acknowledge", data={"csrf_token": csrf_token(page),
                                                    "confirm": "y"})


def _start_unit(client, unit_id):
    page = client.get(f"/units/{unit_id}")
    response = client.post(f"/units/{unit_id}/start", data={"csrf_token": csrf_token(page)})
    return int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1))


def pass_unit(client, db, unit_id):
    """Take a unit through the pages, answering every question correctly."""
    attempt_id, check = answer_unit(client, db, unit_id)
    return client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token(check)})


def answer_unit(client, db, unit_id):
    """Start a unit and answer every question correctly, without submitting; returns the
    attempt's id and its "check your answers" page."""
    attempt_id = _start_unit(client, unit_id)
    from elearn.current import content
    from elearn.models import Attempt

    attempt = db.session.get(Attempt, attempt_id)
    unit = content().units[unit_id]
    for n, qid in enumerate(attempt.question_ids, 1):
        q = unit.question(qid)
        page = client.get(f"/attempts/{attempt_id}/questions/{n}")
        fields = q.spec.form_fields(q.correct_ids, attempt.option_order[qid])
        client.post(f"/attempts/{attempt_id}/questions/{n}",
                    data=MultiDict([("csrf_token", csrf_token(page)), ("go", "next"), *fields]))
    return attempt_id, client.get(f"/attempts/{attempt_id}/check")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app, workers: int = 4, timeout: int = 60):
    """Serve `app`'s database and content with a real gunicorn; yield (base URL, process)."""
    _db.session.commit()  # the test's own session must hold no SQLite lock while serving
    port = free_port()
    env = {**os.environ,
           "ELEARN_ENV": "testing",
           "ELEARN_SECRET_KEY": app.config["SECRET_KEY"],
           "ELEARN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ELEARN_CONTENT_DIR": app.config["CONTENT_DIR"],
           "ELEARN_SIGNING_P12": app.config["SIGNING_P12"],
           "ELEARN_SIGNING_PASSWORD": app.config["SIGNING_PASSWORD"],
           "ELEARN_BASE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout), "--graceful-timeout", "5",
         "--log-level", "warning", "wsgi:app"],
        cwd=Path(__file__).parent.parent, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: four workers importing WeasyPrint on a busy 2-core machine are slow.
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("visually-hidden" in (dict(attrs).get("class") or "")
                              or self._hidden):
            self._hidden += 1
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def page_text(response) -> str:
    """The page's text without its tags, spaces collapsed: what a sentence check reads."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def table(response, caption: str) -> list[list[str]]:
    """The rows (visible cell texts) of the table whose caption
    contains `caption`."""
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    for t in parser.tables:
        if caption in t["caption"]:
            return t["rows"]
    raise AssertionError(f"no table captioned {caption!r}")


FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
REAL_CONTENT = Path(__file__).parent.parent / "modules"

V2_POLICY = """\
id: test-policy
title: Test Policy
trust: Test Trust
version: "v2"
first_written: 2017-01-01
review_date: 2019-01-01
review_interval_months: 12
sections:
  - id: terms
    title: Terms
    intro: The terms.
    clauses:
      - id: terms.no-friends
        text: No staff member should have a pupil or a former pupil as a friend.
        requirement: true
        tracks: [staff]
      - id: terms.approval
        text: >-
          Proposals must be approved by the
          head   teacher first.
        requirement: true
        tracks: [staff, governor]
      - id: terms.reporting
        text: Report any concern about a colleague to the head teacher.
        requirement: true
        tracks: [staff]
"""

REPORTING_UNIT = """\
id: reporting
title: Reporting a concern
summary: A colleague's post worries you.
minutes: 3
scenario: You see a colleague's post about a pupil.
questions:
  - id: who
    kind: single
    prompt: Who do you tell?
    cites: [terms.reporting]
    options:
      - {id: head, text: The head teacher, correct: true, feedback: Yes.}
      - {id: nobody, text: Nobody, feedback: No.}
      - {id: friend, text: A friend, feedback: No.}
"""


def write_versioned_content(target: Path) -> Path:
    """A hand-made policy in two versions: from v1 to v2 one clause changes
    (terms.no-friends), one only changes its spacing (terms.approval), one is removed
    (terms.context) and one is added (terms.reporting, assessed by a new unit)."""
    shutil.copytree(FIXTURE_CONTENT, target)
    (target / "policy" / "policy-v2.yaml").write_text(V2_POLICY)
    (target / "units" / "reporting.yaml").write_text(REPORTING_UNIT)
    tracks = (target / "tracks.yaml").read_text()
    (target / "tracks.yaml").write_text(tracks.replace("units: [friends, approval]",
                                                       "units: [friends, approval, reporting]"))
    return target
