"""The school-day peak: 2,000 learners on one gunicorn, 500 of them starting in 10 s.

Prepares a trust of learners on a fresh database (SQLite, or PostgreSQL when
ELEARN_BENCH_POSTGRES_URL is set), serves it with gunicorn (the workers the README
recommends: workers_for), drives it with
locust (bench/locustfile.py) and prints the errors and the 95th percentile page times,
then the CPU each party used: gunicorn's workers (per request), the load generator, and
the PostgreSQL server when there is one (all share the machine's cores).
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load_kinds import SIGN_IN  # noqa: E402
from run import _free_port, _scratch_database, _wait, _workers_cpu  # noqa: E402


def _postgres_cpu(database_url: str) -> float:
    """CPU seconds used so far by the PostgreSQL server listening on the URL's port."""
    import psutil
    from sqlalchemy.engine import make_url

    port = make_url(database_url).port or 5432
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "postgres" or process.parent() and \
                process.parent().name() == "postgres":
            continue
        try:
            if not any(c.laddr.port == port for c in process.net_connections("inet")):
                continue
            # The server's own time, its live backends', and (children_user/system) that
            # of backends that have exited: a connection recycled during the run takes
            # its backend's CPU with it otherwise.
            total += sum(process.cpu_times()[:4]) + sum(
                sum(child.cpu_times()[:2]) for child in process.children())
        except psutil.Error:
            continue
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepare(database_url: str, users: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from elearn import create_app
    from elearn.auth.passwords import hash_password
    from elearn.extensions import db
    from elearn.models import Person, PersonRole, ReviewCycle, School

    app = create_app({"ENVIRON": {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "x" * 40,
                                  "ELEARN_DATABASE_URL": database_url}})
    with app.app_context():
        upgrade(directory=str(Path(app.root_path) / "migrations"))
        school = School(name="Load School")
        db.session.add_all([school, ReviewCycle(
            policy_id="social-media", policy_version="2017-01", reviewed_on=date.today(),
            review_date=date.today() + timedelta(days=200))])
        db.session.flush()
        # One hash shared by every load-test account: 2,000 argon2 hashes would take minutes.
        shared = hash_password("correct horse battery")
        db.session.execute(insert(Person), [
            {"name": f"Learner {n}", "email": f"learner{n}@example.org",
             "school_id": school.id, "password_hash": shared,
             "session_token": f"load-{n:06d}"} for n in range(1, users + 1)])
        ids = db.session.scalars(db.select(Person.id)).all()
        db.session.execute(insert(PersonRole), [{"person_id": i, "role": "staff"} for i in ids])
        db.session.commit()


def workers_for() -> int:
    """gunicorn's sync workers, as the README recommends (ELEARN_LOAD_WORKERS overrides):
    2 per core on either database. On PostgreSQL 4 per core once served the peak better
    (session 10), while its workers waited on round trips with cores to spare; on a
    machine with none to spare, 8 workers, their 8 server processes and the load generator
    on 2 cores held 500 synchronised starts for 8.2 and 7.0 s (p95), where 4 workers
    answered them in 0.41 and 3.6 s (docs/benchmarks.md, session 17). 2 per core costs a
    little when there are cores to spare and is the lesser worst case when there are not."""
    if os.environ.get("ELEARN_LOAD_WORKERS"):
        return int(os.environ["ELEARN_LOAD_WORKERS"])
    return 2 * _cores()


def _cores() -> int:
    """The cores this process may use (its affinity), not all the host's."""
    return len(os.sched_getaffinity(0))


def main() -> None:
    users = int(os.environ.get("ELEARN_LOAD_USERS", "2000"))
    work = Path(tempfile.mkdtemp(prefix="elearn-load-"))
    server_url = os.environ.get("ELEARN_BENCH_POSTGRES_URL")
    scratch = f"elearn_load_{os.getpid()}"
    database_url = _scratch_database(server_url, scratch, create=True) if server_url \
        else f"sqlite:///{work / 'load.sqlite'}"
    try:
        run(database_url, users, work)
    finally:
        if server_url:
            _scratch_database(server_url, scratch, create=False)
        shutil.rmtree(work, ignore_errors=True)


def run(database_url: str, users: int, work: Path) -> None:
    """Prepare the trust, serve it, drive it with locust and print what happened."""
    prepare(database_url, users)
    workers = workers_for()
    port = _free_port()
    env = {**os.environ, "ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "x" * 40,
           "ELEARN_DATABASE_URL": database_url, "ELEARN_LOAD_TIMES": str(work / "times.tsv"),
           # Learners sign in from one address here; lift the per-address limit for the run.
           "ELEARN_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"}
    server = subprocess.Popen(
        # --preload: the app (content, templates) is built once before the workers fork,
        # and the port opens only then; otherwise four workers spend their first 1.5 CPU
        # seconds each booting while the first learners' requests queue behind them.
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "--preload",
         "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait(port, seconds=180)
        postgres = "postgresql" in database_url
        cpu = (_workers_cpu(server.pid), _children_cpu(),
               _postgres_cpu(database_url) if postgres else 0.0)
        subprocess.run(
            [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"),
             "--headless", "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "load"),
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
        cpu = (_workers_cpu(server.pid) - cpu[0], _children_cpu() - cpu[1],
               _postgres_cpu(database_url) - cpu[2] if postgres else 0.0)
        with open(work / "load_stats.csv") as f:
            rows = list(csv.DictReader(f))
    finally:
        server.terminate()
        server.wait()
    kind = "PostgreSQL" if "postgresql" in database_url else "SQLite"
    print(f"School-day peak on {kind}: {users} learners, {workers} gunicorn workers, "
          f"{_cores()} cores")
    print(f"{'request':22} {'count':>8} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8}")
    for row in rows:
        print(f"{row['Name']:22} {row['Request Count']:>8} {row['Failure Count']:>9} "
              f"{row['50%']:>8} {row['95%']:>8} {float(row['Max Response Time']):8.0f}")
    _print_p95_but_sign_in(work / "times.tsv")
    total = next((int(r["Request Count"]) for r in rows if r["Name"] == "Aggregated"), 0)
    print(f"CPU seconds used during the run: gunicorn workers {cpu[0]:.1f} "
          f"({cpu[0] / max(total, 1) * 1000:.2f} ms per request), load generator (locust) "
          f"{cpu[1]:.1f}" + (f", PostgreSQL server {cpu[2]:.1f}" if postgres else ""))


def _print_p95_but_sign_in(times: Path) -> None:
    """The 95th percentile over every request but the sign-in POST, whose argon2 hash takes
    most of a core for tens of milliseconds on any database: one in ten requests of the run,
    it sets the percentile over all of them."""
    if not times.exists():
        return
    rows = (line.split("\t") for line in times.read_text().splitlines())
    ms = sorted(float(ms) for name, ms in rows if name != SIGN_IN)
    if ms:
        print(f"{'all but sign in':22} {len(ms):8} {'':>9} {_percentile(ms, 50):8.0f} "
              f"{_percentile(ms, 95):8.0f} {ms[-1]:8.0f}")


def _percentile(ordered: list[float], percent: int) -> float:
    """The value below which `percent` per cent of the ordered values lie (nearest rank)."""
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]


if __name__ == "__main__":
    main()
