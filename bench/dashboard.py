"""`make bench`: the HR dashboard, its exports and the understanding pages at 1,000, 5,000
and 20,000 people.

A trust is loaded straight into a fresh SQLite database (the Trust's real content in
modules/), with attempts, results and completions in the current review cycle. Each page is
requested in-process as Trust HR (the whole trust in scope), and reported in ms and as a
ratio to a baseline measured in the same run: a trivial signed-in page (the certificate
check form, which shows the signed-in navigation; HR officers with no training of their own
are sent from / to the dashboard itself).
Aim: the dashboard under 250 ms at 20,000 people, and cost per person not rising; the
understanding and question statistics pages under 1 s. Those pages first add newly
submitted first attempts to anonymous totals (elearn.understanding.tally): the time to add
each size's new attempts is printed on its own, then the pages are timed as HR sees them.
`--quick` loads 200 and 400 people instead: a check that every step runs.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SIZES = (1_000, 5_000, 20_000)
SCHOOLS = 40
PAGES = (
    ("dashboard /hr/", "/hr/"),
    ("people list, page 1 /hr/people", "/hr/people"),
    ("people list, not complete, by status", "/hr/people?status=incomplete&sort=status"),
    ("export CSV (everyone)", "/hr/people.csv"),
    ("export XLSX (everyone)", "/hr/people.xlsx"),
    ("understanding by clause /hr/understanding", "/hr/understanding"),
    ("question statistics /hr/questions", "/hr/questions"),
)
UNDERSTANDING = PAGES[-2:]
BASELINE = ("baseline: a trivial signed-in page /verify", "/verify")


def _median_ms(client, path: str, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of a request (CPU time is steadier on a busy
    machine: the database runs in this process, so it counts SQLite's work too)."""
    response = client.get(path)  # warm up
    assert response.status_code == 200, (path, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _load(db, content, cycle_id: int, school_ids: list[int], first: int, count: int,
          rng: random.Random) -> None:
    """Add `count` people with roles, attempts, results and completions (bulk inserts)."""
    from sqlalchemy import func, insert, select

    from elearn.models import (
        Answer,
        Attempt,
        AttemptResult,
        Completion,
        Person,
        PersonRole,
        utcnow,
    )

    now = utcnow()
    people = [{"name": f"Person {n:05d}", "email": f"person{n:05d}@bench.example.org",
               "school_id": school_ids[n % len(school_ids)], "job_title": "Teacher"}
              for n in range(first, first + count)]
    before = db.session.scalar(select(func.max(Person.id))) or 0
    db.session.execute(insert(Person), people)
    ids = {email: pid for email, pid in db.session.execute(
        select(Person.email, Person.id).where(Person.id > before))}
    emails = [p["email"] for p in people]
    roles, attempts, completions, done_units = [], [], [], []
    for email in emails:
        pid = ids[email]
        roll = rng.random()
        person_roles = (["governor"] if roll < 0.1 else
                        ["staff", "leader"] if roll < 0.15 else ["staff"])
        roles += [{"person_id": pid, "role": r} for r in person_roles]
        for track in content.tracks_for_roles(set(person_roles)):
            progress = rng.random()
            if progress < 0.3:
                continue
            finished = progress > 0.65
            units = track.unit_ids if finished else track.unit_ids[:rng.randint(
                1, len(track.unit_ids))]
            for unit_id in units:
                unit = content.units[unit_id]
                drawn = [q.id for q in rng.sample(unit.questions, unit.draw)]
                attempts.append({
                    "person_id": pid, "cycle_id": cycle_id, "unit_id": unit_id, "number": 1,
                    "content_fingerprint": unit.fingerprint, "question_ids": drawn,
                    "option_order": {}, "pass_mark": 80, "started_at": now,
                    "last_activity_at": now})
                done_units.append(finished or rng.random() < 0.7)
            if finished:
                completions.append({"person_id": pid, "cycle_id": cycle_id,
                                    "track_id": track.id, "completed_at": now})
    db.session.execute(insert(PersonRole), roles)
    # Ids of the attempts just added, in insertion order.
    start_id = (db.session.scalar(select(Attempt.id).order_by(Attempt.id.desc()).limit(1))
                or 0) + 1
    db.session.execute(insert(Attempt), attempts)
    results, answers = [], []
    for i, graded in enumerate(done_units):
        if not (graded or rng.random() < 0.5):
            continue
        result, given = _answered(content, attempts[i], start_id + i, graded, rng)
        results.append(result)
        answers += given
    db.session.execute(insert(AttemptResult), results)
    db.session.execute(insert(Answer), answers)
    if completions:
        db.session.execute(insert(Completion), completions)
    db.session.commit()


def _difficulty(question_id: str) -> float:
    """A steady chance of a wrong answer per question: most easy, a few hard (by name)."""
    return (0.04, 0.08, 0.12, 0.3, 0.5)[sum(map(ord, question_id)) % 5]


def _answered(content, attempt: dict, attempt_id: int, passed: bool,
              rng: random.Random) -> tuple[dict, list[dict]]:
    """A submitted attempt's result and answers: a pass has at most one wrong answer, a
    fail two or three; the wrong ones fall on the harder questions more often."""
    unit = content.units[attempt["unit_id"]]
    drawn = attempt["question_ids"]
    wrong_count = rng.choice((0, 0, 1)) if passed else rng.choice((2, 3))
    weights = [_difficulty(q) for q in drawn]
    wrong: set[str] = set()
    while len(wrong) < wrong_count:
        wrong.add(rng.choices(drawn, weights)[0])
    now = attempt["started_at"]
    answers, marks = [], {}
    for qid in drawn:
        question = unit.question(qid)
        response = list(question.correct_ids)
        if qid in wrong:
            others = [o for o in question.option_ids if o not in response]
            # The first distractor is the tempting one: chosen more often than the rest.
            response = ([others[0] if rng.random() < 0.6 else rng.choice(others)]
                        if others else response[::-1])
        marks[qid] = int(qid not in wrong)
        answers.append({"attempt_id": attempt_id, "question_id": qid, "response": response,
                        "answered_at": now})
    score = sum(marks.values())
    return ({"attempt_id": attempt_id, "score": score, "max_score": len(drawn),
             "percent": 100 * score // len(drawn), "passed": passed, "marks": marks,
             "submitted_at": now}, answers)


def main() -> None:
    sizes = (200, 400) if "--quick" in sys.argv[1:] else SIZES
    from flask_migrate import upgrade
    from helpers import sign_in

    from elearn import create_app
    from elearn.auth.passwords import hash_password
    from elearn.current import content
    from elearn.extensions import db
    from elearn.models import Attempt, Person, ReviewCycle, Role, School
    from elearn.understanding.tally import refresh_tallies

    work = Path(tempfile.mkdtemp(prefix="elearn-bench-dashboard-"))
    env = {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "bench-" + "k" * 40,
           "ELEARN_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}"}
    app = create_app({"ENVIRON": env})
    rng = random.Random(20_000)
    print(f"HR dashboard bench on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}; "
          f"SQLite, in-process requests as Trust HR, median of several runs", flush=True)
    try:
        # Requests run outside the setup's app context, each in its own, as in production:
        # inside it they would share its `g`, and so one signed-in person, never reloaded.
        with app.app_context():
            upgrade(directory=str(Path(app.root_path) / "migrations"))
            central = School(name="Trust central team", is_central=True)
            schools = [School(name=f"Bench School {i:02d}") for i in range(SCHOOLS)]
            hr = Person(name="Bench HR", email="hr@bench.example.org", school=central,
                        password_hash=hash_password("correct horse battery"))
            hr.set_roles({Role.HR})
            cycle = ReviewCycle(policy_id="p", policy_version="v",
                                reviewed_on=date.today() - timedelta(days=100),
                                review_date=date.today() + timedelta(days=20))
            db.session.add_all([central, *schools, hr, cycle])
            db.session.commit()
            school_ids, cycle_id, hr_email = [s.id for s in schools], cycle.id, hr.email
        client = app.test_client()
        assert sign_in(client, hr_email).status_code == 302
        loaded = 0
        results: dict[int, dict[str, tuple[float, float]]] = {}
        for size in sizes:
            with app.app_context():
                _load(db, content(), cycle_id, school_ids, loaded, size - loaded, rng)
                loaded = size
                attempts = db.session.query(Attempt).count()
                start = time.perf_counter()
                refresh_tallies(db.session)
                db.session.commit()
                counted = (time.perf_counter() - start) * 1000
            repeat = 9 if size < 20_000 else 5
            if len(sizes) < len(SIZES):
                repeat = 2
            figures = {BASELINE[0]: _median_ms(client, BASELINE[1], max(repeat, 3))}
            for name, path in PAGES:
                figures[name] = _median_ms(client, path, repeat if "export" not in name
                                           else 3)
            results[size] = figures
            base, base_cpu = figures[BASELINE[0]]
            print(f"\n{size:,} people ({attempts:,} attempts)")
            print(f"  adding the new first attempts to the understanding totals: "
                  f"{counted:.0f} ms (once per attempt)")
            print(f"  {'page':42} {'wall ms':>9} {'x base':>7} {'CPU ms':>9} {'x base':>7}")
            for name, (ms, cpu) in figures.items():
                print(f"  {name:42} {ms:9.1f} {ms / base:7.1f} {cpu:9.1f} "
                      f"{cpu / base_cpu:7.1f}")
            sys.stdout.flush()
        smallest, largest = sizes[0], sizes[-1]
        print(f"\nGrowth from {smallest:,} to {largest:,} people, CPU time "
              f"({largest / smallest:g}x the people; linear = {largest / smallest:.1f}):")
        for name, _ in PAGES:
            ratio = results[largest][name][1] / results[smallest][name][1]
            print(f"  {name:42} {ratio:5.1f}x")
        wall, cpu = results[largest][PAGES[0][0]]
        verdict = ("aim < 250 ms: " + ("met" if wall < 250 else "NOT met")
                   if largest == 20_000 else "the aim is for 20,000 people")
        print(f"\nDashboard at {largest:,} people: {wall:.0f} ms wall, {cpu:.0f} ms CPU "
              f"({verdict}).")
        for name, _ in UNDERSTANDING:
            wall = results[largest][name][0]
            verdict = ("aim < 1 s: " + ("met" if wall < 1000 else "NOT met")
                       if largest == 20_000 else "the aim is for 20,000 people")
            print(f"{name.split(' /')[0].capitalize()} at {largest:,} people: "
                  f"{wall:.0f} ms wall ({verdict}).")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
