"""Ids and page numbers beyond what the database can hold answer 404 or a clamped page,
never a 500 (issue 18); a `next` with line breaks is refused, not a 500."""

import pytest
from helpers import sign_in

from elearn.models import Role

HUGE = "99999999999999999999"  # more than a 64-bit integer holds
PAST_INT64 = str(2**63)
PAST_INT32 = str(2**31)  # PostgreSQL's INTEGER ends at 2**31 - 1

PATHS = [
    "/attempts/{n}/check", "/attempts/{n}/questions/1", "/attempts/1/questions/{n}",
    "/attempts/{n}/result", "/hr/people/{n}", "/hr/import/{n}",
    "/hr/schools/{n}/certificates.zip",
]
POSTS = ["/attempts/{n}/submit", "/hr/people/{n}/leaver", "/hr/people/{n}/remind",
         "/hr/schools/{n}/remind", "/hr/import/{n}", "/attempts/{n}/questions/1"]


@pytest.mark.parametrize("n", [HUGE, PAST_INT64, PAST_INT32])
def test_ids_too_big_for_the_database_are_not_found(app, make_person, cycle, n):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, Role.STAFF, Role.ADMIN, school="central").email)
    for path in PATHS:
        assert client.get(path.format(n=n)).status_code == 404, path
    for path in POSTS:
        # werkzeug may answer 405 before it converts the id: still never a 500.
        assert client.post(path.format(n=n)).status_code in (400, 404, 405), path


def test_an_audit_page_number_too_big_shows_the_last_page(app, make_person):
    client = app.test_client()
    sign_in(client, make_person(Role.ADMIN, school="central").email)
    for page in (HUGE, PAST_INT64, PAST_INT32, "-" + HUGE):
        assert client.get(f"/admin/audit?page={page}").status_code == 200, page


def test_an_hr_people_page_number_too_big_shows_the_last_page(app, make_person, cycle):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="central").email)
    assert client.get(f"/hr/people?page={HUGE}").status_code == 200
    assert client.get(f"/hr/people?school={HUGE}").status_code == 404


@pytest.mark.parametrize("next_", ["/%0D%0ASet-Cookie:x", "/%0ALocation:x", "/a%00b"])
def test_a_next_address_with_line_breaks_is_ignored(app, make_person, next_):
    client = app.test_client()
    person = make_person(Role.STAFF)
    assert client.get(f"/sign-in?next={next_}").status_code == 200
    response = sign_in(client, person.email, next=next_.replace("%0D", "\r")
                       .replace("%0A", "\n").replace("%00", "\0"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(response.headers)
    signed_in_already = client.get(f"/sign-in?next={next_}")
    assert signed_in_already.status_code == 302 and signed_in_already.headers["Location"] == "/"
