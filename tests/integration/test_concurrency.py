"""Many learners at once on a real gunicorn: nothing lost, one result per attempt."""

import os
import re
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests
from helpers import PASSWORD, gunicorn
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from elearn.current import content
from elearn.models import Answer, Attempt, AttemptResult, Certificate, Role

LEARNERS = 50
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Learner:
    def __init__(self, base: str, email: str, engine, units):
        self.base, self.email, self.engine, self.units = base, email, engine, units
        self.http = requests.Session()
        self.statuses: list[int] = []

    def _token(self, path: str) -> str:
        page = self.http.get(self.base + path, timeout=60)
        self.statuses.append(page.status_code)
        return TOKEN.search(page.text).group(1)

    def post(self, path: str, data: dict | list[tuple[str, str]],
             session: requests.Session | None = None):
        response = (session or self.http).post(self.base + path, data=data,
                                                allow_redirects=False, timeout=60)
        self.statuses.append(response.status_code)
        return response

    def sign_in(self) -> None:
        token = self._token("/sign-in")
        assert self.post("/sign-in", {"csrf_token": token, "email": self.email,
                                      "password": PASSWORD}).status_code == 302

    def attempt(self, attempt_id: int) -> Attempt:
        with self.engine.connect() as conn:
            row = conn.execute(select(Attempt.question_ids, Attempt.option_order)
                               .where(Attempt.id == attempt_id)).one()
        return row

    def take(self, unit_id: str) -> int:
        token = self._token(f"/units/{unit_id}")
        started = self.post(f"/units/{unit_id}/start", {"csrf_token": token})
        attempt_id = int(re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1))
        question_ids, option_order = self.attempt(attempt_id)
        unit = self.units[unit_id]
        for n, qid in enumerate(question_ids, 1):
            q = unit.question(qid)
            token = self._token(f"/attempts/{attempt_id}/questions/{n}")
            fields = q.spec.form_fields(q.correct_ids, option_order[qid])
            saved = self.post(f"/attempts/{attempt_id}/questions/{n}",
                              [("csrf_token", token), ("go", "next"), *fields])
            assert saved.status_code == 302, saved.text[:500]
        token = self._token(f"/attempts/{attempt_id}/check")
        # A double click: the same submission twice at the same moment from two connections.
        twin = requests.Session()
        twin.cookies.update(self.http.cookies)
        barrier = threading.Barrier(2)

        def submit(session):
            barrier.wait()
            return self.post(f"/attempts/{attempt_id}/submit", {"csrf_token": token}, session)

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(submit, [self.http, twin]))
        assert all(r.status_code == 302 for r in results), [r.status_code for r in results]
        return attempt_id

    def acknowledge(self) -> None:
        token = self._token("/policy")
        assert self.post("/policy/acknowledge", {"csrf_token": token, "confirm": "y"}
                         ).status_code == 302

    def run(self) -> list[int]:
        self.sign_in()
        self.acknowledge()
        return [self.take("friends"), self.take("approval")]


def test_fifty_learners_at_once_lose_nothing_and_get_one_result_each(app, db, make_person,
                                                                      cycle):
    emails = [make_person(Role.STAFF).email for _ in range(LEARNERS)]
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with gunicorn(app, workers=4) as (base, _):
        clients = [Learner(base, email, engine, content().units) for email in emails]
        with ThreadPoolExecutor(LEARNERS) as pool:
            attempt_ids = [ids for ids in pool.map(Learner.run, clients)]
    statuses = [s for c in clients for s in c.statuses]
    assert statuses and all(s < 400 for s in statuses), sorted(set(statuses))
    all_ids = [i for ids in attempt_ids for i in ids]
    with engine.connect() as conn:
        results = dict(conn.execute(select(AttemptResult.attempt_id, func.count())
                                    .group_by(AttemptResult.attempt_id)).all())
        answers = dict(conn.execute(select(Answer.attempt_id, func.count())
                                    .group_by(Answer.attempt_id)).all())
        drawn = dict(conn.execute(select(Attempt.id, Attempt.question_ids)).all())
        certificates = conn.execute(select(func.count()).select_from(Certificate)).scalar()
        passed = conn.execute(select(func.count()).select_from(AttemptResult)
                              .where(AttemptResult.passed.is_(True))).scalar()
    engine.dispose()
    assert len(all_ids) == len(set(all_ids)) == 2 * LEARNERS == len(drawn)
    assert all(results.get(i) == 1 for i in all_ids)
    assert all(answers.get(i) == len(drawn[i]) for i in all_ids)
    assert passed == 2 * LEARNERS
    assert certificates == LEARNERS


def test_killing_a_worker_mid_request_loses_no_acknowledged_answer(app, db, make_person,
                                                                    cycle):
    email = make_person(Role.STAFF).email
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    acknowledged: dict[tuple[int, str], list[str]] = {}
    # Answers whose fate the client never learnt (the worker was killed, or the reply came
    # too late): the server may or may not have kept them, and either is right; a late one
    # may even land after a later acknowledged answer. What must never happen is an
    # acknowledged answer replaced by nothing the learner sent, or lost.
    unknown: dict[tuple[int, str], list[list[str]]] = defaultdict(list)
    lock = threading.Lock()
    with gunicorn(app, workers=2) as (base, server):
        units = content().units
        learner = Learner(base, email, engine, units)
        learner.sign_in()
        token = learner._token("/units/friends")
        started = learner.post("/units/friends/start", {"csrf_token": token})
        attempt_id = int(re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1))
        question_ids, option_order = learner.attempt(attempt_id)
        stop = time.monotonic() + 6

        def keep_answering(worker: int) -> None:
            http = requests.Session()
            http.cookies.update(learner.http.cookies)
            n = 0
            while time.monotonic() < stop:
                number = (worker + n) % len(question_ids) + 1
                qid = question_ids[number - 1]
                choice = [option_order[qid][n % len(option_order[qid])]]
                path = f"/attempts/{attempt_id}/questions/{number}"
                try:
                    token = TOKEN.search(http.get(base + path, timeout=10).text).group(1)
                    if units["friends"].question(qid).kind.value == "multiple":
                        choice = option_order[qid][: 1 + n % 2]
                except (requests.RequestException, AttributeError):
                    # No form to answer (refused, timed out, or the body cut short when the
                    # worker was killed while sending it): nothing was sent.
                    n += 1
                    continue
                key = (attempt_id, qid)
                with lock:  # one writer per question at a time keeps "latest" well defined
                    try:
                        response = http.post(base + path, allow_redirects=False, timeout=10,
                                             data={"csrf_token": token, "go": "next",
                                                   "answer": choice})
                    except requests.RequestException:
                        unknown[key].append(sorted(choice))  # never acknowledged
                    else:
                        if response.status_code == 302:
                            acknowledged[key] = sorted(choice)
                n += 1

        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(keep_answering, w) for w in range(3)]
            time.sleep(2)
            workers = _worker_pids(server.pid)
            assert workers, "no gunicorn workers found"
            os.kill(workers[0], signal.SIGKILL)
            for f in futures:
                f.result()
    with engine.connect() as conn:
        stored = {(a, q): sorted(r) for a, q, r in conn.execute(
            select(Answer.attempt_id, Answer.question_id, Answer.response))}
    engine.dispose()
    assert acknowledged
    for key, answer in acknowledged.items():
        assert stored.get(key) == answer or stored.get(key) in unknown[key], key
    for key in set(stored) - set(acknowledged):
        assert stored[key] in unknown[key], key


def _worker_pids(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == master:
                        children.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return children
