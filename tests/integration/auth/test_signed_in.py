"""The signed-in person's statement reads the cycle in force with them: nearly every page
needs it, and it is then no query of its own."""

from datetime import date, timedelta

from elearn.models import ReviewCycle, Role
from elearn.wording import long_date


def test_the_unit_page_reads_the_cycle_in_force_with_the_signed_in_person(
        signed_in, cycle, trace_statements):
    client, _ = signed_in(Role.STAFF)
    statements_sent = trace_statements()
    response = client.get("/units/friends")
    assert response.status_code == 200
    reading_the_cycle = [sql for sql in statements_sent if "review_cycle" in sql]
    assert len(reading_the_cycle) == 1 and "session_token" in reading_the_cycle[0]


def test_a_review_recorded_between_two_pages_is_in_force_on_the_second(
        db, signed_in, cycle):
    client, _ = signed_in(Role.STAFF)
    assert long_date(cycle.review_date) in client.get("/").get_data(as_text=True)
    later = ReviewCycle(policy_id=cycle.policy_id, policy_version=cycle.policy_version,
                        reviewed_on=date.today(), review_date=date.today() + timedelta(days=200))
    db.session.add(later)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert long_date(later.review_date) in page and long_date(cycle.review_date) not in page
