"""`make bench`: each figure as a ratio to a baseline measured in the same run.

1. Certificate rendering vs a minimal one-page WeasyPrint document written as the same
   PDF variant (same process, CPU time, taking turns).
2. On one gunicorn (2 workers) serving a small trust, measured with wrk: the signed-in
   question page and an answer submission vs a hello-world endpoint (/healthz), and a
   stored certificate's download vs the same bytes from a signed-in trivial route
   (bench/bench_app.py), and vs the same bytes as a static file; a revalidation (304) too.
   Set ELEARN_BENCH_POSTGRES_URL to a PostgreSQL server database to measure it too.

`--quick` runs every step briefly (a few renders, 1 s per wrk run, one round): the figures
mean little, but the test suite runs it so that the bench cannot break unnoticed.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _cpu_medians(fns: dict, repeat: int) -> dict[str, float]:
    """Median CPU seconds of each function, the functions taking turns sample by sample.

    Taking turns exposes every function to the same moments of a shared machine; CPU time
    (not wall time) leaves out the time the machine gives to other programs; a collection
    before each sample stops one function paying for another's garbage.
    """
    for fn in fns.values():
        fn()  # warm up: fonts, template, stylesheet
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.process_time()
            fn()
            samples[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_render(repeat: int = 41) -> dict[str, float]:
    """Our certificate vs a minimal one-page WeasyPrint document, both as PDF/A-3u.

    The baseline is written in the same PDF variant as the certificate (its metadata and
    colour profile are part of any archivable file), so the ratio measures the design,
    not the format; the same document as plain PDF is reported too.
    """
    from weasyprint import CSS, HTML

    from elearn.certification.render import (
        PDF_VARIANT,
        CertificateContext,
        CertificateRenderer,
        qr_data_uri,
    )
    from elearn.certification.signing import CertificateSigner, make_development_identity

    # Certificates are signed when issued, so "ours" includes signing; signing alone is
    # measured too (sealing: the signature made and written into the room WeasyPrint left).
    identity = Path(tempfile.mkdtemp(prefix="elearn-bench-")) / "signing.p12"
    make_development_identity(identity, "bench", "L.E.A.D. Academy Trust")
    signer = CertificateSigner(identity, "bench")
    renderer = CertificateRenderer(ROOT / "certificates", signer, "Sam Taylor",
                                   "Head of People")
    context = CertificateContext(
        "L.E.A.D. Academy Trust", "Ava Evans", "Hollybrook Primary Academy", "Staff track",
        "Social Media Policy", "2017-01", "25 November 2026", "25 November 2027",
        "K7QX-M3PD-94TR", "https://elearn.example.org/verify/K7QXM3PD94TR",
        "25 November 2026", "2026-11-25T14:03:00+00:00", renderer.signatory_name,
        renderer.signatory_role, 12, 80)
    prepared = renderer.render_for_sealing(context)
    minimal = "<html><body><h1>Certificate</h1><p>Ava Evans</p></body></html>"
    # What the design costs: the fields the certificate must show, with its logo and QR
    # code, unstyled, rendered with the renderer's shared fonts.
    c = context
    required = (
        '<html lang="en-GB"><head><title>Certificate</title></head><body>'
        '<img src="logo.svg" alt="logo" style="height:24mm"><h1>Certificate of completion</h1>'
        f"<p>{c.holder_name}</p><p>{c.school_name}</p><p>{c.track_title} of the "
        f"{c.trust_name}'s training on its {c.policy_title} (version {c.policy_version})</p>"
        f"<p>Completed on {c.completed_on}. Valid until {c.valid_until}.</p>"
        f"<p>Certificate number {c.certificate_number}</p><p>{c.verify_url}</p>"
        f'<img src="{qr_data_uri(c.verify_url)}" alt="QR code" style="width:36mm">'
        "</body></html>")
    landscape = CSS(string="@page { size: A4 landscape }", font_config=renderer.fonts)

    def required_only() -> bytes:
        return HTML(string=required, base_url=str(renderer.design_dir) + "/",
                    url_fetcher=renderer.fetch).render(
            stylesheets=[landscape], font_config=renderer.fonts).write_pdf(
            pdf_variant=PDF_VARIANT, pdf_tags=True)

    return _cpu_medians({
        "minimal": lambda: HTML(string=minimal).write_pdf(pdf_variant=PDF_VARIANT),
        "minimal_plain": lambda: HTML(string=minimal).write_pdf(),
        "required_only": required_only,
        "ours": lambda: renderer.render(context),
        "signing": lambda: signer.seal(prepared),
    }, repeat)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Seconds per wrk run, and rounds of the page, download and journey figures; --quick
# lowers them.
SECONDS, ROUNDS = 5, 3
# The downloads' rounds: their guard sits close to its line, and on this virtual machine a
# quarter of the CPU time can be stolen by its host at moments, so more of them.
DOWNLOAD_ROUNDS = 7


# The user agent wrk sends, and the one the bench's sessions were signed in with: Flask-Login
# ("basic" session protection) marks a session whose agent changed as no longer fresh, so a
# cookie signed in by another agent and replayed unchanged by wrk made the server sign and
# send a new cookie on every response, which no browser (keeping the new cookie) would cost.
AGENT = "elearn-bench"


def _fresh_cookie(client, cookie_name: str) -> str:
    """The client's session cookie, signed now, for one wrk run. A browser sends back the
    cookie the server renews once a minute (auth.sessions); wrk replays the one it is
    given, and once that was a minute old every response signed and sent a new one."""
    with client.session_transaction() as session:
        session.modified = True
    return f"{cookie_name}={client.get_cookie(cookie_name).value}"


def _requests_per_second(url: str, *options: str, seconds: int | None = None) -> float:
    """Run wrk on `url`; its requests per second, or an error if any response failed."""
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds or SECONDS}s", "-H", f"User-Agent: {AGENT}",
           *options, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk saw failures on {url}:\n{out}")
    _last_run["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


_last_run: dict[str, int] = {}


def _median_ratio(ours: list[tuple[float, float]], base: list[tuple[float, float]]) -> float:
    """The median of each round's rate against that round's baseline rate: a change in the
    machine's load between rounds moves both runs of a round alike."""
    return statistics.median(o[0] / b[0] for o, b in zip(ours, base, strict=True))


def _with_cpu(server_pid: int, measure) -> tuple[float, float]:
    """Run one wrk measurement: (requests per second, workers' CPU seconds per request).

    The CPU figure does not depend on what else the machine runs (wrk, other people's
    work), where requests per second does: on a busy machine, compare those."""
    before = _workers_cpu(server_pid)
    rate = measure()
    return rate, (_workers_cpu(server_pid) - before) / max(_last_run["requests"], 1)


def _wrk(url: str, cookie: str | None = None, seconds: int | None = None,
         headers: tuple[str, ...] = ()) -> float:
    options = [option for header in (f"Cookie: {cookie}",) * bool(cookie) + headers
               for option in ("-H", header)]
    return _requests_per_second(url, *options, seconds=seconds)


def _wait(port: int, seconds: int = 20) -> None:
    """Wait for gunicorn to open the port (with --preload only once the app is built,
    which can take half a minute on a busy machine: pass more seconds)."""
    for _ in range(seconds * 10):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _wrk_post(url: str, cookie: str, body: str) -> float:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {body!r}\n".replace("'", '"')
        + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "{cookie}"\n')
    try:
        return _requests_per_second(url, "-s", str(script))
    finally:
        script.unlink()


# Learner journeys measured for the server CPU figure, in rounds (see bench_journeys); --quick
# lowers them.
JOURNEYS, JOURNEY_ROUNDS, WARM_UP_JOURNEYS = 60, 6, 6
# The password checks, made this many times per journey and divided (see bench_journeys).
CHECK_REPEATS = 3
# The floor's /healthz requests, made this many times over and divided: a journey's floor is
# about 0.01 s of CPU, and where the workers' CPU comes in 10 ms ticks (no schedstat, see
# _workers_cpu) one floor alone would be mostly rounding.
FLOOR_REPEATS = 5
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ANSWER = re.compile(r'name="answer" value="([^"]+)"')
_POSITION = re.compile(r'name="(position-[^"]+)"')


def _scratch_database(server_url: str, name: str, create: bool) -> str:
    """A database of its own on the PostgreSQL server (made, or dropped), so that every run
    starts empty and a second run does not meet the first one's learners."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'{"CREATE" if create else "DROP"} DATABASE "{name}"'
                                + ("" if create else " WITH (FORCE)")))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _round_trip_cpu(database_url: str, repeat: int) -> float | None:
    """CPU seconds, client's and server's, of one round trip to PostgreSQL: a prepared
    SELECT of one row by key, straight through psycopg, none of elearn's code. The floor
    under every statement a page sends; None when the server's process is not on this
    machine (its CPU cannot be read)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        stat = Path(f"/proc/{conn.info.backend_pid}/stat")
        if (url.host not in (None, "127.0.0.1", "localhost", "::1") or not stat.exists()
                or not stat.read_text().split(" ", 2)[1].startswith("(postgres")):
            return None  # a server elsewhere (another host, a container): not its process

        def server_cpu() -> float:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        cursor, query = conn.cursor(), "SELECT id, name FROM person WHERE email = %s"
        for _ in range(50):  # prepared from the sixth run on
            cursor.execute(query, ("learner@example.org",)).fetchall()
        server, client = server_cpu(), time.process_time()
        for _ in range(repeat):
            cursor.execute(query, ("learner@example.org",)).fetchall()
        return (time.process_time() - client + server_cpu() - server) / repeat


def _machine_cpu() -> float:
    """CPU seconds the whole machine has spent working so far (every core, not idle)."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _workers_cpu(server_pid: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's workers: the scheduler's own
    count in nanoseconds (/proc/<pid>/task/*/schedstat) where Linux gives it, else psutil's,
    which comes in 10 ms ticks (a tenth of a journey's round)."""
    import psutil

    workers = psutil.Process(server_pid).children(recursive=True)
    try:
        return sum(int(Path(stat).read_text().split()[0])
                   for worker in workers
                   for stat in Path(f"/proc/{worker.pid}/task").glob("*/schedstat")) / 1e9
    except (OSError, ValueError, IndexError):
        return sum(sum(worker.cpu_times()[:2]) for worker in workers)


def _journey(base: str, email: str, unit_id: str) -> int:
    """One learner's visit, as a browser makes it: sign in, home, the unit, start, every
    question answered, check, submit, result. Returns the number of requests made."""
    import requests

    s, n = requests.Session(), 0

    def go(method: str, path: str, **data) -> requests.Response:
        nonlocal n
        n += 1
        response = s.request(method, base + path, data=data or None, allow_redirects=False)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code}")
        return response

    token = _TOKEN.search(go("GET", "/sign-in").text).group(1)
    go("POST", "/sign-in", csrf_token=token, email=email, password="correct horse battery")
    go("GET", "/")
    token = _TOKEN.search(go("GET", f"/units/{unit_id}").text).group(1)
    path = go("POST", f"/units/{unit_id}/start", csrf_token=token).headers["Location"]
    while "/questions/" in path:
        page = go("GET", path).text
        positions = _POSITION.findall(page)
        answer = ({name: str(p) for p, name in enumerate(positions, 1)} if positions
                  else {"answer": _ANSWER.findall(page)[0]})
        path = go("POST", path, csrf_token=_TOKEN.search(page).group(1), go="next",
                  **answer).headers["Location"]
    token = _TOKEN.search(go("GET", path).text).group(1)
    attempt = path.split("/")[2]
    result = go("POST", f"/attempts/{attempt}/submit", csrf_token=token).headers["Location"]
    go("GET", result)
    return n


def bench_journeys(base: str, server_pid: int, unit_id: str) -> dict[str, float]:
    """Server CPU per learner journey (gunicorn workers' CPU seconds / journeys), and its
    floor: as many requests to /healthz. Without the hash: less one argon2 verification
    per journey, as the workers pay it (bench_app's /bench/password-check).

    The three take turns journey by journey, in JOURNEY_ROUNDS rounds; each figure is the
    median of the rounds', the ratio the median of each round's own. Taking turns round by
    round (a third of the journeys at a time), a change in the machine's speed between the
    journeys and their floor moved the ratio by half a point from run to run; the hash, a
    third of a journey's CPU, is checked CHECK_REPEATS times per journey."""
    import requests

    # Warm-up, not counted: each worker compiles its templates and statements on first use,
    # and PostgreSQL's statements are prepared on their sixth run on a connection; with one
    # journey of warm-up, the first round's ratio was a third above the others'.
    for n in range(JOURNEYS + 1, JOURNEYS + 1 + WARM_UP_JOURNEYS):
        _journey(base, f"journey{n}@example.org", unit_id)
    rounds: dict[str, list[float]] = {"journey_cpu": [], "journey_cpu_no_hash": [],
                                      "journey_floor": [], "ratio": [], "hash_ratio": []}
    requests_made, floor_session = 0, requests.Session()
    walkers = iter(range(1, JOURNEYS + 1))
    for round_ in range(JOURNEY_ROUNDS):
        share = [next(walkers) for _ in range(JOURNEYS // JOURNEY_ROUNDS
                                               + (round_ < JOURNEYS % JOURNEY_ROUNDS))]
        spent, made = {"journeys": 0.0, "floor": 0.0, "checks": 0.0}, 0
        for n in share:  # journey, floor and checks take turns journey by journey
            before = _workers_cpu(server_pid)
            this = _journey(base, f"journey{n}@example.org", unit_id)
            spent["journeys"] += _workers_cpu(server_pid) - before
            before = _workers_cpu(server_pid)
            for _ in range(this * FLOOR_REPEATS):
                floor_session.get(f"{base}/healthz")
            spent["floor"] += (_workers_cpu(server_pid) - before) / FLOOR_REPEATS
            before = _workers_cpu(server_pid)
            for _ in range(CHECK_REPEATS):
                floor_session.get(f"{base}/bench/password-check").raise_for_status()
            spent["checks"] += _workers_cpu(server_pid) - before
            made += this
        journey_cpu, floor_cpu = spent["journeys"] / len(share), spent["floor"] / len(share)
        # The hash as the workers pay it: one password check, less the floor's cost of one
        # request. (Timed in this process instead, it differed by a few milliseconds either
        # way from run to run.)
        hash_cpu = spent["checks"] / (len(share) * CHECK_REPEATS) - spent["floor"] / made
        rounds["journey_cpu"].append(journey_cpu)
        rounds["journey_cpu_no_hash"].append(journey_cpu - hash_cpu)
        rounds["journey_floor"].append(floor_cpu)
        rounds["ratio"].append((journey_cpu - hash_cpu) / floor_cpu)
        rounds["hash_ratio"].append(journey_cpu / floor_cpu)
        requests_made += made
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    return {"journey_cpu": medians["journey_cpu"],
            "journey_cpu_no_hash": medians["journey_cpu_no_hash"],
            "journey_floor": medians["journey_floor"], "journey_ratio": medians["ratio"],
            "journey_hash_ratio": medians["hash_ratio"],
            "journey_requests": requests_made / JOURNEYS}


def bench_server(database_url: str | None, workers: int = 2,
                 quick: bool = False) -> dict[str, float]:
    """Serve a small trust with gunicorn; measure pages against /healthz on the same server."""
    from datetime import date, timedelta
    from urllib.parse import urlencode

    from flask_migrate import upgrade
    from helpers import csrf_token, sign_in

    from elearn import create_app
    from elearn.auth.passwords import hash_password
    from elearn.certification.issuing import issue_missing_certificates
    from elearn.certification.services import record_completions
    from elearn.certification.signing import make_development_identity
    from elearn.current import content, renderer
    from elearn.extensions import db
    from elearn.learner.acknowledgement import acknowledge
    from elearn.models import (
        Attempt,
        AttemptResult,
        Certificate,
        Person,
        ReviewCycle,
        Role,
        School,
        utcnow,
    )

    work = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    # A PostgreSQL server gets a database of the bench's own for the run, dropped after.
    server_url, scratch = database_url, f"elearn_bench_{os.getpid()}"
    if server_url:
        database_url = _scratch_database(server_url, scratch, create=True)
    env = {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "bench-" + "k" * 40,
           "ELEARN_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.sqlite'}",
           "ELEARN_SIGNING_P12": str(work / "signing.p12"), "ELEARN_SIGNING_PASSWORD": "bench"}
    make_development_identity(work / "signing.p12", "bench", "L.E.A.D. Academy Trust")
    app = create_app({"ENVIRON": env})
    static_copy = Path(app.static_folder) / "bench-certificate.pdf"
    password = hash_password("correct horse battery")
    with app.app_context():
        upgrade(directory=str(Path(app.root_path) / "migrations"))
        school = School(name="Bench School")
        graduate = Person(name="Bench Graduate", email="graduate@example.org", school=school,
                          password_hash=password)
        learner = Person(name="Bench Learner", email="learner@example.org", school=school,
                         password_hash=password)
        walkers = [Person(name=f"Journey {n}", email=f"journey{n}@example.org", school=school,
                          password_hash=password)
                   for n in range(1, JOURNEYS + 1 + WARM_UP_JOURNEYS)]
        for p in (graduate, learner, *walkers):
            p.set_roles({Role.STAFF})
        db.session.add_all(walkers)
        cycle = ReviewCycle(policy_id="p", policy_version="2017-01",
                            reviewed_on=date.today(),
                            review_date=date.today() + timedelta(days=300))
        db.session.add_all([school, graduate, learner, cycle])
        db.session.flush()
        for unit_id in content().track("staff").unit_ids:
            attempt = Attempt(person_id=graduate.id, cycle_id=cycle.id, unit_id=unit_id,
                              number=1, content_fingerprint="bench", question_ids=[],
                              option_order={}, pass_mark=80, submitted_at=utcnow())
            db.session.add(attempt)
            db.session.flush()
            db.session.add(AttemptResult(attempt_id=attempt.id, score=5, max_score=5,
                                         percent=100, passed=True, marks={}))
        acknowledge(db.session, graduate, cycle, date.today(), utcnow())
        record_completions(db.session, content(), graduate, cycle, date.today(), utcnow())
        learner_id = learner.id
        db.session.commit()
        [issued] = issue_missing_certificates(db.session, content(), renderer, utcnow(),
                                              "https://elearn.example.org")
        certificate = db.session.scalar(db.select(Certificate).where(
            Certificate.code == issued.code))
        code, pdf = certificate.code, certificate.pdf
        unit_id = content().track("staff").unit_ids[0]
        unit = content().units[unit_id]
    # Requests outside the setup's app context, each with its own, as in production.
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    grad_client, learner_client = app.test_client(), app.test_client()
    for client in (grad_client, learner_client):
        client.environ_base["HTTP_USER_AGENT"] = AGENT
    sign_in(grad_client, "graduate@example.org")
    sign_in(learner_client, "learner@example.org")
    page = learner_client.get(f"/units/{unit_id}")
    started = learner_client.post(f"/units/{unit_id}/start",
                                  data={"csrf_token": csrf_token(page)})
    question_path = started.headers["Location"]
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.person_id == learner_id))
        question = unit.question(attempt.question_ids[0])
        answer = question.spec.form_fields(question.correct_ids,
                                           attempt.option_order[question.id])
    token = csrf_token(learner_client.get(question_path))
    body = urlencode([("csrf_token", token), ("go", "next"), *answer])
    grad_cookie = functools.partial(_fresh_cookie, grad_client, cookie_name)
    learner_cookie = functools.partial(_fresh_cookie, learner_client, cookie_name)
    static_copy.write_bytes(pdf)
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
         "bench_app:app"],
        cwd=ROOT, env={**os.environ, **env})
    try:
        _wait(port)
        base = f"http://127.0.0.1:{port}"
        _wrk(f"{base}/healthz", seconds=1)  # warm-up: every worker booted and connected
        _wrk(base + question_path, learner_cookie(), seconds=1)
        download = f"{base}/certificates/{code}.pdf"
        with urllib.request.urlopen(f"{base}/static/bench-certificate.pdf") as response:
            static_etag = response.headers["ETag"]
        ours_etag = f'"{hashlib.sha256(pdf).hexdigest()}"'
        figures = {}
        # The pages and their baseline take turns, in rounds, median of each: on a shared
        # machine two 5 s runs of the same page, one after the other, differed by a third.
        pages = {
            "hello": lambda: _wrk(f"{base}/healthz"),
            "question": lambda: _wrk(base + question_path, learner_cookie()),
            "answer": lambda: _wrk_post(base + question_path, learner_cookie(), body),
            "start": lambda: _wrk_post(f"{base}/units/{unit_id}/start", learner_cookie(),
                                       urlencode([("csrf_token", token)])),
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
        machine_cpu = []
        for _ in range(ROUNDS):
            for name, measure in pages.items():
                machine_before = _machine_cpu()
                runs[name].append(_with_cpu(server.pid, measure))
                if name == "hello":
                    # The whole machine's CPU per /healthz (wrk's and the kernel's too),
                    # beside which a PostgreSQL round trip's is set.
                    machine_cpu.append((_machine_cpu() - machine_before)
                                       / _last_run["requests"])
        for name, measured in runs.items():
            figures[name] = statistics.median(rate for rate, _ in measured)
            figures[f"{name}_cpu"] = statistics.median(cpu for _, cpu in measured)
            if name == "hello":
                continue
            figures[f"{name}_ratio"] = _median_ratio(measured, runs["hello"])
        figures["hello_machine_cpu"] = statistics.median(machine_cpu)
        # The download figures take turns, in rounds, median of each: on a shared machine
        # a single 5 s run of one of them can be off by half. The guard's pair run one
        # after the other, and its ratio is the median of each round's own (as the pages'
        # are): a slow minute moves both runs of its round alike.
        downloads = {
            "static": lambda: _wrk(f"{base}/static/bench-certificate.pdf"),
            "signed_in_bytes": lambda: _wrk(f"{base}/bench/signed-in-bytes", grad_cookie()),
            "download": lambda: _wrk(download, grad_cookie()),
            "static_304": lambda: _wrk(f"{base}/static/bench-certificate.pdf",
                                       headers=(f"If-None-Match: {static_etag}",)),
            "download_304": lambda: _wrk(download, grad_cookie(),
                                         headers=(f"If-None-Match: {ours_etag}",)),
        }
        rounds = {name: [] for name in downloads}
        for _ in range(DOWNLOAD_ROUNDS):
            for name, measure in downloads.items():
                rounds[name].append(_with_cpu(server.pid, measure))
        figures |= {name: statistics.median(rate for rate, _ in values)
                    for name, values in rounds.items()}
        figures |= {f"{name}_cpu": statistics.median(cpu for _, cpu in rounds[name])
                    for name in ("download", "signed_in_bytes")}
        figures["download_ratio"] = _median_ratio(rounds["download"], rounds["signed_in_bytes"])
        if server_url:
            figures["round_trip_cpu"] = _round_trip_cpu(database_url, 200 if quick else 5000)
        return figures | bench_journeys(base, server.pid, unit_id)
    finally:
        server.terminate()
        server.wait()
        static_copy.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        if server_url:
            _scratch_database(server_url, scratch, create=False)


def _row(label: str, base: float, ours: float, aim: str, fmt: str = "12.0f",
         ratio: float | None = None) -> None:
    """One figure: baseline, ours and their ratio (given when it is not ours / base)."""
    ratio = ours / base if ratio is None else ratio
    print(f"{label:62} {base:{fmt}} {ours:{fmt}} {ratio:7.2f}  {aim}")


def _round_trip_rows(figures: dict[str, float], on_sqlite: dict[str, float]) -> None:
    """What one PostgreSQL round trip costs beside /healthz (the machine's CPU per request,
    wrk's included), and so about the most a page that needs n of them can reach: its
    SQLite ratio with n round trips' CPU added (n as counted in PostgreSQL's statement log,
    docs/benchmarks.md; SQLite's own queries, a few µs each, are left in)."""
    healthz = figures["hello_machine_cpu"]
    share = figures["round_trip_cpu"] / healthz
    _row("  one round trip, client + server CPU s (vs all of a /healthz's)", healthz,
         figures["round_trip_cpu"], "(info)", "12.6f")
    print("  (the round trip: a prepared SELECT by key through psycopg, no elearn code)")
    for what, key, trips in (("question page", "question", 1), ("answer save", "answer", 2)):
        # SQLite's ratio as its row printed it (the median of the rounds' own ratios).
        on_sqlite_ratio = on_sqlite[f"{key}_ratio"]
        ceiling = 1 / (1 / on_sqlite_ratio + trips * share)
        print(f"  so the {what}, SQLite's {on_sqlite_ratio:.2f} plus "
              f"its {trips} round trips, could reach about {ceiling:.2f} at best")


def main() -> None:
    global SECONDS, ROUNDS, DOWNLOAD_ROUNDS, JOURNEYS, JOURNEY_ROUNDS, WARM_UP_JOURNEYS
    global CHECK_REPEATS
    quick = "--quick" in sys.argv[1:]
    if quick:
        SECONDS, ROUNDS, DOWNLOAD_ROUNDS, JOURNEYS, JOURNEY_ROUNDS = 1, 1, 1, 2, 1
        WARM_UP_JOURNEYS, CHECK_REPEATS = 1, 1
    print(f"elearn benchmarks on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}"
          + (" (--quick: a check that every step runs; the figures mean little)" * quick))
    print(f"{'figure':62} {'baseline':>12} {'ours':>12} {'ratio':>7}  aim")
    render = bench_render(repeat=3 if quick else 41)
    _row("certificate render and sign, CPU s (vs minimal 1-page doc, PDF/A-3u)",
         render["minimal"], render["ours"], "<= 2.5", "12.4f")
    _row("  of which signing (PAdES, made and written in), CPU s (vs the minimal doc)",
         render["minimal"], render["signing"], "(info)", "12.4f")
    _row("  the same, vs the minimal doc as plain PDF", render["minimal_plain"],
         render["ours"], "(info)", "12.4f")
    _row("  the required fields alone, unstyled (vs the minimal doc)", render["minimal"],
         render["required_only"], "(info)", "12.4f")
    databases = [("SQLite", None)]
    if os.environ.get("ELEARN_BENCH_POSTGRES_URL"):
        databases.append(("PostgreSQL", os.environ["ELEARN_BENCH_POSTGRES_URL"]))
    on_sqlite: dict[str, float] = {}
    for name, url in databases:
        figures = bench_server(url, quick=quick)
        on_sqlite = on_sqlite or figures
        for key, label, aim in (
                ("question", "question page, req/s (vs hello-world /healthz)", ">= 0.40"),
                ("answer", "answer submission, req/s (vs hello-world /healthz)", ">= 0.25"),
                ("start", "start a unit (resuming its open attempt), req/s (vs /healthz)",
                 ">= 0.15")):
            _row(f"[{name}] {label}", figures["hello"], figures[key], aim,
                 ratio=figures[f"{key}_ratio"])
        print(f"  (medians of {ROUNDS} rounds; the ratio: the median of each round's page "
              "against that round's /healthz)")
        # The same pairs as requests per CPU second of the workers (1 / CPU per request):
        # what the ratio would be on a machine with nothing else running.
        _row("  question page, requests per worker CPU second (vs /healthz)",
             1 / figures["hello_cpu"], 1 / figures["question_cpu"], "(info)")
        _row("  answer submission, requests per worker CPU second (vs /healthz)",
             1 / figures["hello_cpu"], 1 / figures["answer_cpu"], "(info)")
        _row("  start a unit, requests per worker CPU second (vs /healthz)",
             1 / figures["hello_cpu"], 1 / figures["start_cpu"], "(info)")
        # The guard (#17): against a signed-in route sending the same bytes, which pays for
        # the session as the download does; a static file pays for no session at all.
        _row(f"[{name}] certificate download, req/s (vs the same bytes from a signed-in "
             "trivial route)", figures["signed_in_bytes"], figures["download"], ">= 0.85",
             ratio=figures["download_ratio"])
        print(f"  (medians of {DOWNLOAD_ROUNDS} rounds; the ratio: the median of each "
              "round's download against that round's signed-in bytes)")
        _row("  the same, requests per worker CPU second (vs the signed-in bytes)",
             1 / figures["signed_in_bytes_cpu"], 1 / figures["download_cpu"], "(info)")
        _row("  the same, vs the same bytes as a static file",
             figures["static"], figures["download"], "(info)")
        _row("  revalidation 304, req/s (vs the static file's 304)", figures["static_304"],
             figures["download_304"], "(info)")
        _row(f"[{name}] server CPU s per learner journey, no hash (vs /healthz floor)",
             figures["journey_floor"], figures["journey_cpu_no_hash"], "<= 4", "12.4f",
             ratio=figures["journey_ratio"])
        _row("  the same, with the password hash", figures["journey_floor"],
             figures["journey_cpu"], "(info)", "12.4f", ratio=figures["journey_hash_ratio"])
        print(f"  (a journey: {figures['journey_requests']:.0f} requests; the floor: as many "
              f"to /healthz; CPU of gunicorn's workers; medians of "
              f"{JOURNEY_ROUNDS} rounds)")
        if figures.get("round_trip_cpu"):
            _round_trip_rows(figures, on_sqlite)
    sys.stdout.flush()
    # WeasyPrint's font objects can crash the interpreter at exit; the figures are printed.
    os._exit(0)


if __name__ == "__main__":
    main()
