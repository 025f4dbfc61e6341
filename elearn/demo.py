"""The demo trust: three schools and a central team, with known demo passwords."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.auth.passwords import hash_password
from elearn.content.model import Policy
from elearn.models import Person, ReviewCycle, Role, School

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
