"""The demo trust: three schools and a central team, with known demo passwords."""

from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.auth.passwords import hash_password
from elearn.certification.render import CertificateRenderer
from elearn.certification.services import complete_tracks
from elearn.content.model import Content, Policy, Question
from elearn.cycles.rules import current_cycle
from elearn.learner.acknowledgement import acknowledge
from elearn.models import Person, ReviewCycle, Role, School
from elearn.people.rules import tracks_of
from elearn.quiz.attempts import save_answer, start_attempt, submit_attempt

DEMO_PASSWORD = "learn-the-policy"
CENTRAL = "Trust central team"

SCHOOLS = {
    "Hollybrook Primary Academy": "hollybrook",
    "Riverside Academy": "riverside",
    "Meadowfield Primary School": "meadowfield",
}
FIRST = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Freya", "Arthur", "Priya",
         "Mohammed", "Grace", "Jack", "Sophie", "Harry", "Zara", "Leo", "Chloe", "Kai",
         "Ruby", "Ethan", "Hannah", "Samuel", "Niamh", "Daniel", "Ellie", "Tariq", "Lucy",
         "Owen", "Megan", "Rhys", "Aisha", "Callum", "Evie", "Joseph", "Maya", "Thomas",
         "Imogen", "Yusuf"]
LAST = ["Patel", "Hughes", "Khan", "Walker", "Evans", "Clarke", "Begum", "Wright", "Shaw",
        "Turner", "Ahmed", "Lewis", "Roberts", "Hall", "Green", "Baker", "Ward", "Kaur",
        "Price", "Cooper", "Bennett", "Morris", "Singh", "Hill", "Bailey", "Jones", "Young",
        "Allen", "King", "Scott", "Mitchell", "Reid", "Lowe", "Moss", "Fox", "Dixon",
        "Okafor", "Nowak"]
JOBS = ["Class teacher", "Teaching assistant", "Office manager", "Class teacher",
        "Teaching assistant", "Site manager", "SENCo", "Class teacher"]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def is_empty(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Person)) or 0) == 0


def load_demo(session: Session, policy: Policy, today: date) -> list[tuple[str, str]]:
    """Create the demo trust; return (what, email) pairs for the sign-ins to print."""
    password_hash = hash_password(DEMO_PASSWORD)
    names = iter(zip(FIRST, LAST, strict=True))
    central = School(name=CENTRAL, is_central=True)
    session.add(central)
    sign_ins: list[tuple[str, str]] = []

    def person(school: School, domain: str, roles: set[Role], job: str | None) -> Person:
        first, last = next(names)
        p = Person(name=f"{first} {last}", email=f"{first}.{last}@{domain}".lower(),
                   school=school, job_title=job, password_hash=password_hash)
        p.set_roles(roles)
        session.add(p)
        return p

    hr = person(central, "leadacademytrust.example.org", {Role.HR}, "HR officer")
    admin = person(central, "leadacademytrust.example.org", {Role.ADMIN}, "Systems administrator")
    sign_ins += [("HR officer (all schools)", hr.email), ("Administrator", admin.email)]
    for index, (school_name, slug) in enumerate(SCHOOLS.items()):
        school = School(name=school_name)
        session.add(school)
        domain = f"{slug}.example.org"
        head = person(school, domain, {Role.STAFF, Role.LEADER}, "Head teacher")
        dsl = person(school, domain, {Role.STAFF, Role.LEADER}, "Designated safeguarding lead")
        staff = [person(school, domain, {Role.STAFF}, JOBS[i]) for i in range(8)]
        governors = [person(school, domain, {Role.GOVERNOR}, "Governor") for _ in range(2)]
        if index == 0:
            sign_ins += [(f"Head teacher, {school_name}", head.email),
                         (f"DSL, {school_name}", dsl.email),
                         (f"Staff, {school_name}", staff[0].email),
                         (f"Governor, {school_name}", governors[0].email)]
    session.add(ReviewCycle(policy_id=policy.id, policy_version=policy.version,
                            reviewed_on=today,
                            review_date=add_months(today, policy.review_interval_months)))
    return sign_ins


# Clauses the demo's learners often get wrong on a first attempt, so that the understanding
# page shows some rules clearly weaker than others (a wrong answer about one in two times).
WEAK_CLAUSES = ("monitoring.deleted-traces", "guidance.no-ex-pupil-interaction",
                "worktime.personal-use", "child-protection.refer-lado",
                "guidance.family-links")
WEAK, USUAL = 0.5, 0.1


def _misses(question: Question, rng: random.Random) -> bool:
    """Whether a demo learner gets the question wrong the first time."""
    weak = any(c in WEAK_CLAUSES for c in question.cites)
    return rng.random() < (WEAK if weak else USUAL)


def _wrong_answer(question: Question, rng: random.Random) -> list[str]:
    right = list(question.correct_ids)
    others = [o for o in question.option_ids if o not in right]
    if not others:  # ordering: the steps in another order
        return right[::-1]
    # The first distractor is the tempting one: chosen more often than the others.
    return [others[0] if rng.random() < 0.7 else rng.choice(others)]


def _take(session: Session, content: Content, person: Person, cycle: ReviewCycle,
          unit_id: str, today: date, now: datetime, rng: random.Random, first_try: bool,
          submit: bool = True) -> bool:
    """Take a unit through the same services a learner's clicks use: on a first try some
    answers are wrong (the weaker clauses more often), on a second every answer is right.
    Returns whether the attempt passed."""
    unit = content.units[unit_id]
    attempt = start_attempt(session, content, person, cycle, unit_id, today, now, rng)
    session.flush()
    for n, qid in enumerate(attempt.question_ids):
        if not submit and n >= 2:
            return False  # stopped part-way: the answers so far are kept
        question = unit.question(qid)
        answer = _wrong_answer(question, rng) if first_try and _misses(question, rng) \
            else list(question.correct_ids)
        save_answer(session, content, person, cycle, attempt.id, qid, answer, today, now)
    return submit_attempt(session, content, person, cycle, attempt.id, today, now).passed


def _pass(session: Session, content: Content, person: Person, cycle: ReviewCycle,
          unit_id: str, today: date, now: datetime, rng: random.Random) -> None:
    """A first try, and a second if the first failed (as most learners do)."""
    if not _take(session, content, person, cycle, unit_id, today, now, rng, first_try=True):
        _take(session, content, person, cycle, unit_id, today, now, rng, first_try=False)


def seed_progress(session: Session, content: Content, renderer: CertificateRenderer,
                  base_url: str, today: date, now: datetime) -> int:
    """Give the demo trust a realistic mid-cycle picture, outside the first school (whose
    people stay untouched, as the walkthroughs in the README and the browser tests start
    from nothing): in each other school some are done, some part-way, some not started;
    the head teacher and DSL part-way through both their tracks. First attempts have
    plausible mistakes, more on a few clauses (WEAK_CLAUSES). Returns the number of
    certificates issued."""
    rng = random.Random(2017)
    cycle = current_cycle(session)
    schools = session.scalars(select(School).where(School.is_central.is_(False))
                              .order_by(School.id)).all()[1:]
    issued = 0
    for school in schools:
        people = session.scalars(select(Person).where(Person.school_id == school.id)
                                 .order_by(Person.id)).all()
        staff = [p for p in people if p.roles == {Role.STAFF}]
        governors = [p for p in people if p.roles == {Role.GOVERNOR}]
        leaders = [p for p in people if Role.LEADER in p.roles]
        plans = [(p, "done") for p in staff[:3] + governors[:1]]
        plans += [(p, "part-way") for p in staff[3:5]] + [(p, "leading") for p in leaders]
        for person, plan in plans:
            person.last_sign_in_at = now  # their progress was made signed in
            issued += _progress(session, content, renderer, base_url, person, cycle, plan,
                                today, now, rng)
    return issued


def _progress(session: Session, content: Content, renderer: CertificateRenderer,
              base_url: str, person: Person, cycle: ReviewCycle, plan: str, today: date,
              now: datetime, rng: random.Random) -> int:
    """One person's progress by plan; returns the certificates issued."""
    tracks = tracks_of(content, person)
    units = [u for t in tracks for u in t.unit_ids]
    if plan == "done":
        acknowledge(session, person, cycle, today, now)
        for unit_id in units:
            _pass(session, content, person, cycle, unit_id, today, now, rng)
        return len(complete_tracks(session, content, renderer, person, cycle, today, now,
                                   base_url))
    if plan == "leading":  # most of the staff track, half the leaders' track
        units = [u for t in tracks for u in t.unit_ids[:len(t.unit_ids) * 2 // 3]]
    else:
        units = units[:3]
    for unit_id in units:
        _pass(session, content, person, cycle, unit_id, today, now, rng)
    if plan == "part-way":
        _take(session, content, person, cycle, tracks[0].unit_ids[3], today, now, rng,
              first_try=True, submit=False)
    return 0
