"""A school-day peak for locust: learners who read between answers, and a synchronised start.

Run through bench/school_day.py, which prepares the trust and the server. Each simulated
learner signs in, opens a unit, answers its questions with 30 to 90 seconds of reading
between answers, checks and submits, then moves to the next unit.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, LoadTestShape, between, task

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ANSWER = re.compile(r'name="answer" value="([^"]+)"')
POSITION = re.compile(r'name="(position-[^"]+)"')
UNITS = os.environ.get("ELEARN_LOAD_UNITS", "pupil-friend-request").split(",")
PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


class Learner(HttpUser):
    wait_time = between(30, 90)  # reading the situation and thinking about each answer

    def on_start(self) -> None:
        self.email = f"learner{next(_numbers)}@example.org"
        page = self.client.get("/sign-in", name="sign-in page")
        self.client.post("/sign-in", name="sign in", data={
            "csrf_token": TOKEN.search(page.text).group(1), "email": self.email,
            "password": PASSWORD})
        self.unit = iter(itertools.cycle(UNITS))
        self.path: str | None = None
        self._open_unit()

    def _open_unit(self) -> None:
        unit = next(self.unit)
        page = self.client.get(f"/units/{unit}", name="unit page")
        started = self.client.post(f"/units/{unit}/start", name="start unit",
                                   data={"csrf_token": TOKEN.search(page.text).group(1)})
        self.path = started.url.removeprefix(self.client.base_url)

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
        saved = self.client.post(self.path, name="answer", data={
            "csrf_token": token, "go": "next", **data})
        self.path = saved.url.removeprefix(self.client.base_url)
        if self.path.endswith("/check"):
            check = self.client.get(self.path, name="check answers")
            attempt = self.path.split("/")[2]
            result = self.client.post(f"/attempts/{attempt}/submit", name="submit",
                                      data={"csrf_token": TOKEN.search(check.text).group(1)})
            self.path = None if result.ok else self.path


class SchoolDayPeak(LoadTestShape):
    """500 learners start within 10 seconds, the rest of 2,000 join over the next minute."""

    total = int(os.environ.get("ELEARN_LOAD_USERS", "2000"))
    burst = int(os.environ.get("ELEARN_LOAD_BURST", "500"))
    duration = int(os.environ.get("ELEARN_LOAD_SECONDS", "240"))

    def tick(self):
        t = self.get_run_time()
        if t < 10:
            return self.burst, self.burst / 10
        if t < 70:
            return self.total, (self.total - self.burst) / 60
        if t < self.duration:
            return self.total, 100
        return None
