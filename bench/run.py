"""`make bench`: each figure as a ratio to a baseline measured in the same run.

1. Certificate rendering vs a minimal one-page WeasyPrint document (same process).
2. On one gunicorn (2 workers) serving a small trust, measured with wrk: the signed-in
   question page and an answer submission vs a hello-world endpoint (/healthz), and a
   stored certificate's download vs the same bytes as a static file.
   Set ELEARN_BENCH_POSTGRES_URL to a PostgreSQL server database to measure it too.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _time(fn, repeat: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_render(repeat: int = 15) -> tuple[float, float]:
    from weasyprint import HTML

    from elearn.certification.render import CertificateContext, CertificateRenderer

    renderer = CertificateRenderer(ROOT / "certificates")
    context = CertificateContext(
        "L.E.A.D. Academy Trust", "Ava Evans", "Hollybrook Primary Academy", "Staff track",
        "Social Media Policy", "2017-01", "25 November 2026", "25 November 2027",
        "K7QX-M3PD-94TR", "https://elearn.example.org/verify/K7QXM3PD94TR")
    minimal = "<html><body><h1>Certificate</h1><p>Ava Evans</p></body></html>"
    base = _time(lambda: HTML(string=minimal).write_pdf(), repeat)
    ours = _time(lambda: renderer.render(context), repeat)
    return base, ours


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, cookie: str | None = None, seconds: int = 5) -> float:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"wrk saw failures on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _wrk_post(url: str, cookie: str, body: str, seconds: int = 5) -> float:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {body!r}\n".replace("'", '"')
        + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "{cookie}"\n')
    try:
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(script), url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    if "Non-2xx or 3xx" in out:
        raise RuntimeError(f"wrk saw failures on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def bench_server(database_url: str | None, workers: int = 2) -> dict[str, float]:
    """Serve a small trust with gunicorn; measure pages against /healthz on the same server."""
    from datetime import date, timedelta
    from urllib.parse import urlencode

    from flask_migrate import upgrade
    from helpers import csrf_token, sign_in

    from elearn import create_app
    from elearn.auth.passwords import hash_password
    from elearn.certification.services import complete_tracks
    from elearn.extensions import db
    from elearn.models import Attempt, AttemptResult, Person, ReviewCycle, Role, School, utcnow
    from elearn.web import content, renderer

    work = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    env = {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "bench-" + "k" * 40,
           "ELEARN_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.sqlite'}"}
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
        for p in (graduate, learner):
            p.set_roles({Role.STAFF})
        cycle = ReviewCycle(policy_id="p", policy_version="2017-01",
                            reviewed_on=date.today(),
                            review_date=date.today() + timedelta(days=300))
        db.session.add_all([school, graduate, learner, cycle])
        db.session.flush()
        for unit_id in content().track("staff").unit_ids:
            attempt = Attempt(person_id=graduate.id, cycle_id=cycle.id, unit_id=unit_id,
                              number=1, content_fingerprint="bench", question_ids=[],
                              option_order={}, pass_mark=80)
            db.session.add(attempt)
            db.session.flush()
            db.session.add(AttemptResult(attempt_id=attempt.id, score=5, max_score=5,
                                         percent=100, passed=True, marks={}))
        [certificate] = complete_tracks(db.session, content(), renderer(), graduate, cycle,
                                        date.today(), utcnow(), "https://elearn.example.org")
        db.session.commit()
        code, pdf, learner_id = certificate.code, certificate.pdf, learner.id
        unit_id = content().track("staff").unit_ids[0]
        unit = content().units[unit_id]
    # Requests outside the setup's app context, each with its own, as in production.
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    grad_client, learner_client = app.test_client(), app.test_client()
    sign_in(grad_client, "graduate@example.org")
    grad_cookie = f"{cookie_name}={grad_client.get_cookie(cookie_name).value}"
    sign_in(learner_client, "learner@example.org")
    page = learner_client.get(f"/units/{unit_id}")
    started = learner_client.post(f"/units/{unit_id}/start",
                                  data={"csrf_token": csrf_token(page)})
    question_path = started.headers["Location"]
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.person_id == learner_id))
        question = unit.question(attempt.question_ids[0])
    if question.kind.value == "ordering":
        answer = [(f"position-{o}", str(i)) for i, o in enumerate(question.correct_ids, 1)]
    else:
        answer = [("answer", question.correct_ids[0])]
    token = csrf_token(learner_client.get(question_path))
    body = urlencode([("csrf_token", token), ("go", "next"), *answer])
    learner_cookie = f"{cookie_name}={learner_client.get_cookie(cookie_name).value}"
    static_copy.write_bytes(pdf)
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env})
    try:
        _wait(port)
        base = f"http://127.0.0.1:{port}"
        _wrk(f"{base}/healthz", seconds=2)  # warm-up: every worker booted and connected
        _wrk(base + question_path, learner_cookie, seconds=2)
        return {
            "hello": _wrk(f"{base}/healthz"),
            "question": _wrk(base + question_path, learner_cookie),
            "answer": _wrk_post(base + question_path, learner_cookie, body),
            "static": _wrk(f"{base}/static/bench-certificate.pdf"),
            "download": _wrk(f"{base}/certificates/{code}.pdf", grad_cookie),
        }
    finally:
        server.terminate()
        server.wait()
        static_copy.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _row(label: str, base: float, ours: float, aim: str, fmt: str = "12.0f") -> None:
    print(f"{label:62} {base:{fmt}} {ours:{fmt}} {ours / base:7.2f}  {aim}")


def main() -> None:
    print(f"elearn benchmarks on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'figure':62} {'baseline':>12} {'ours':>12} {'ratio':>7}  aim")
    base, ours = bench_render()
    _row("certificate render, s (vs minimal 1-page WeasyPrint doc)", base, ours, "<= 1.5",
         "12.3f")
    databases = [("SQLite", None)]
    if os.environ.get("ELEARN_BENCH_POSTGRES_URL"):
        databases.append(("PostgreSQL", os.environ["ELEARN_BENCH_POSTGRES_URL"]))
    for name, url in databases:
        figures = bench_server(url)
        _row(f"[{name}] question page, req/s (vs hello-world /healthz)", figures["hello"],
             figures["question"], ">= 0.40")
        _row(f"[{name}] answer submission, req/s (vs hello-world /healthz)",
             figures["hello"], figures["answer"], ">= 0.25")
        _row(f"[{name}] certificate download, req/s (vs same bytes as static file)",
             figures["static"], figures["download"], ">= ~1.0")
    sys.stdout.flush()
    # WeasyPrint's font objects can crash the interpreter at exit; the figures are printed.
    os._exit(0)


if __name__ == "__main__":
    main()
