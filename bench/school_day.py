"""The school-day peak: 2,000 learners on one gunicorn, 500 of them starting in 10 s.

Prepares a trust of learners on a fresh database (SQLite, or PostgreSQL when
ELEARN_BENCH_POSTGRES_URL is set), serves it with gunicorn (4 workers), drives it with
locust (bench/locustfile.py) and prints the errors and the 95th percentile page times.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import _free_port, _wait  # noqa: E402


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


def main() -> None:
    users = int(os.environ.get("ELEARN_LOAD_USERS", "2000"))
    work = Path(tempfile.mkdtemp(prefix="elearn-load-"))
    database_url = os.environ.get("ELEARN_BENCH_POSTGRES_URL") or \
        f"sqlite:///{work / 'load.sqlite'}"
    prepare(database_url, users)
    port = _free_port()
    env = {**os.environ, "ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "x" * 40,
           "ELEARN_DATABASE_URL": database_url,
           # Learners sign in from one address here; lift the per-address limit for the run.
           "ELEARN_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait(port)
        subprocess.run(
            [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"),
             "--headless", "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "load"),
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
        with open(work / "load_stats.csv") as f:
            rows = list(csv.DictReader(f))
    finally:
        server.terminate()
        server.wait()
    kind = "PostgreSQL" if "postgresql" in database_url else "SQLite"
    print(f"School-day peak on {kind}: {users} learners, 4 gunicorn workers, "
          f"{os.cpu_count()} cores")
    print(f"{'request':22} {'count':>8} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8}")
    for row in rows:
        print(f"{row['Name']:22} {row['Request Count']:>8} {row['Failure Count']:>9} "
              f"{row['50%']:>8} {row['95%']:>8} {float(row['Max Response Time']):8.0f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
