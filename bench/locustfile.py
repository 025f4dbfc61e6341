"""A school-day peak for locust: learners who read between answers, and a synchronised start.

Run through bench/school_day.py, which prepares the trust and the server. The 2,000
learners sign in over the first SIGN_IN_SECONDS (people arrive at their desks over a few
minutes); then 500 of them start a unit within the same 10 seconds (a whole staff meeting
told "do it now"), and the rest start at random over the following two minutes. Each then
answers its questions with 30 to 90 seconds of reading between answers, checks and
submits, and moves to the next unit.

Redirects are not followed: each request kind is timed on its own, and the page a redirect
names is the next request, as a browser makes it. (locust's lighter FastHttpUser was tried:
against gunicorn's sync workers, at 2,000 learners, a quarter of its requests timed out
after 60 s while the workers sat mostly idle; not yet understood, so HttpUser stays.)
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time

import gevent
from load_kinds import SIGN_IN  # beside this file, which locust puts on the path
from locust import HttpUser, LoadTestShape, between, events, task

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ANSWER = re.compile(r'name="answer" value="([^"]+)"')
POSITION = re.compile(r'name="(position-[^"]+)"')
UNITS = os.environ.get("ELEARN_LOAD_UNITS", "pupil-friend-request").split(",")
PASSWORD = "correct horse battery"
USERS = int(os.environ.get("ELEARN_LOAD_USERS", "2000"))
BURST = int(os.environ.get("ELEARN_LOAD_BURST", "500"))
SIGN_IN_SECONDS = int(os.environ.get("ELEARN_LOAD_SIGN_IN_SECONDS", "100"))
SYNC_AT = SIGN_IN_SECONDS + 10  # seconds after the start: the synchronised start begins
_numbers = itertools.count(1)
_started = {"at": time.monotonic()}


@events.test_start.add_listener
def _remember_start(**_kwargs) -> None:
    _started["at"] = time.monotonic()


# Every response's time, by request kind, written to ELEARN_LOAD_TIMES at the end: locust's
# own tables give percentiles per kind and over all, not over all kinds but one.
_times: list[tuple[str, float]] = []


@events.request.add_listener
def _keep_time(name: str, response_time: float, **_kwargs) -> None:
    _times.append((name, response_time))


@events.quitting.add_listener
def _write_times(**_kwargs) -> None:
    if os.environ.get("ELEARN_LOAD_TIMES"):
        with open(os.environ["ELEARN_LOAD_TIMES"], "w") as f:
            f.writelines(f"{name}\t{ms:.1f}\n" for name, ms in _times)


def _sleep_until(offset: float) -> None:
    gevent.sleep(max(0.0, _started["at"] + offset - time.monotonic()))


def _location(response) -> str:
    """Where a redirect points, as a path."""
    location = response.headers.get("Location") or response.headers.get("location") or ""
    return "/" + location.split("://", 1)[-1].split("/", 1)[-1] if "://" in location \
        else location


class Learner(HttpUser):
    wait_time = between(30, 90)  # reading the situation and thinking about each answer

    def on_start(self) -> None:
        number = next(_numbers)
        self.email = f"learner{number}@example.org"
        _sleep_until(random.uniform(0, SIGN_IN_SECONDS))
        page = self.client.get("/sign-in", name="sign-in page")
        self.client.post("/sign-in", name=SIGN_IN, allow_redirects=False, data={
            "csrf_token": TOKEN.search(page.text).group(1), "email": self.email,
            "password": PASSWORD})
        self.client.get("/", name="home")
        self.unit = iter(itertools.cycle(UNITS))
        self.path: str | None = None
        if number <= BURST:
            _sleep_until(SYNC_AT + random.uniform(0, 10))
            self._open_unit(name="start unit (synchronised)")
        else:
            _sleep_until(SYNC_AT + 10 + random.uniform(0, 120))
            self._open_unit()

    def _open_unit(self, name: str = "start unit") -> None:
        unit = next(self.unit)
        page = self.client.get(f"/units/{unit}", name="unit page")
        started = self.client.post(f"/units/{unit}/start", name=name, allow_redirects=False,
                                   data={"csrf_token": TOKEN.search(page.text).group(1)})
        self.path = _location(started)

    @task
    def answer_one_question(self) -> None:
        if self.path is None or "/questions/" not in self.path:
            self._open_unit()
            return
        page = self.client.get(self.path, name="question page")
        token = TOKEN.search(page.text).group(1)
        positions = POSITION.findall(page.text)
        if positions:
            order = random.sample(range(1, len(positions) + 1), len(positions))
            data = {name: str(p) for name, p in zip(positions, order, strict=True)}
        else:
            data = {"answer": random.choice(ANSWER.findall(page.text))}
        saved = self.client.post(self.path, name="answer", allow_redirects=False, data={
            "csrf_token": token, "go": "next", **data})
        self.path = _location(saved) or self.path
        if self.path.endswith("/check"):
            check = self.client.get(self.path, name="check answers")
            attempt = self.path.split("/")[2]
            result = self.client.post(f"/attempts/{attempt}/submit", name="submit",
                                      allow_redirects=False,
                                      data={"csrf_token": TOKEN.search(check.text).group(1)})
            if result.status_code == 302:
                self.client.get(_location(result), name="result")
                self.path = None


class SchoolDayPeak(LoadTestShape):
    """Every learner is spawned at once; each waits for its own moment (see on_start)."""

    duration = int(os.environ.get("ELEARN_LOAD_SECONDS", str(SYNC_AT + 10 + 120 + 60)))

    def tick(self):
        if self.get_run_time() < self.duration:
            return USERS, USERS
        return None
