"""`make bench`: each figure as a ratio to a baseline measured in the same run.

1. Certificate rendering vs a minimal one-page WeasyPrint document (same process).
2. Downloading a stored certificate vs the same bytes as a static file, both served by the
   same gunicorn and measured with wrk.
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


def bench_download() -> tuple[float, float]:
    from flask_migrate import upgrade
    from helpers import sign_in

    from elearn import create_app
    from elearn.auth.passwords import hash_password
    from elearn.certification.services import complete_tracks
    from elearn.extensions import db
    from elearn.models import Attempt, AttemptResult, Person, ReviewCycle, Role, School, utcnow
    from elearn.web import content, renderer

    work = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    env = {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "bench-" + "k" * 40,
           "ELEARN_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}"}
    app = create_app({"ENVIRON": env})
    static_copy = Path(app.static_folder) / "bench-certificate.pdf"
    with app.app_context():
        upgrade(directory=str(Path(app.root_path) / "migrations"))
        from datetime import date, timedelta
        school = School(name="Bench School")
        person = Person(name="Bench Learner", email="bench@example.org", school=school,
                        password_hash=hash_password("correct horse battery"))
        person.set_roles({Role.STAFF})
        cycle = ReviewCycle(policy_id="p", policy_version="2017-01",
                            reviewed_on=date.today(),
                            review_date=date.today() + timedelta(days=300))
        db.session.add_all([school, person, cycle])
        db.session.flush()
        for unit_id in content().track("staff").unit_ids:
            attempt = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id=unit_id,
                              number=1, content_fingerprint="bench", question_ids=[],
                              option_order={}, pass_mark=80)
            db.session.add(attempt)
            db.session.flush()
            db.session.add(AttemptResult(attempt_id=attempt.id, score=5, max_score=5,
                                         percent=100, passed=True, marks={}))
        [certificate] = complete_tracks(db.session, content(), renderer(), person, cycle,
                                        date.today(), utcnow(), "https://elearn.example.org")
        db.session.commit()
        code, pdf = certificate.code, certificate.pdf
        client = app.test_client()
        sign_in(client, "bench@example.org")
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    static_copy.write_bytes(pdf)
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base_url = f"http://127.0.0.1:{port}"
        static = _wrk(f"{base_url}/static/bench-certificate.pdf")
        stored = _wrk(f"{base_url}/certificates/{code}.pdf",
                      f"{app.config['SESSION_COOKIE_NAME']}={cookie}")
    finally:
        server.terminate()
        server.wait()
        static_copy.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return static, stored


def main() -> None:
    print(f"elearn benchmarks on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'figure':58} {'baseline':>12} {'ours':>12} {'ratio':>7}  aim")
    base, ours = bench_render()
    print(f"{'certificate render, s (vs minimal 1-page WeasyPrint doc)':58} {base:12.3f} "
          f"{ours:12.3f} {ours / base:7.2f}  <= 1.5")
    static, stored = bench_download()
    print(f"{'certificate download, req/s (vs same bytes as static file)':58} {static:12.0f} "
          f"{stored:12.0f} {stored / static:7.2f}  >= ~1.0")
    sys.stdout.flush()
    # WeasyPrint's font objects can crash the interpreter at exit; the figures are printed.
    os._exit(0)


if __name__ == "__main__":
    main()
