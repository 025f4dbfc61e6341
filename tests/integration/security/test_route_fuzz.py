"""Every route of the URL map, with extreme path and query values, as every kind of
visitor: whatever is asked, never a 500 (issue 18: ids beyond the database's integers, page
numbers past the end, control characters in `next`)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from helpers import csrf_token, sign_in
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from elearn.models import Role

ROLES = {"staff": (Role.STAFF,), "governor": (Role.GOVERNOR,),
         "leader": (Role.STAFF, Role.LEADER), "school_hr": (Role.HR,),
         "trust_hr": (Role.HR,), "admin": (Role.ADMIN,)}
VISITORS = ("anonymous", *ROLES)
# Signing out would end the visitor's session for the examples after it.
SKIPPED = {"auth.sign_out"}
QUERY_KEYS = ("page", "school", "sort", "dir", "status", "role", "track", "next", "old", "new",
              "from", "to", "action", "actor", "q", "reviewed_on")
EXTREMES = ["99999999999999999999", str(2**63), str(2**63 - 1), "-1", "0", "", " ", "1e309",
            "NaN", "-9223372036854775809", "%00", "\x00", "\r\nSet-Cookie: x=1", "/\\evil",
            "//evil.example", "../../etc/passwd", "' OR 1=1 --", "\u202eevil", "9999-12-31",
            "0001-01-01", "2026-02-30", "x" * 2000]
values = st.one_of(st.sampled_from(EXTREMES),
                   st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
ints = st.one_of(st.sampled_from([0, 1, 2**31, 2**63 - 1, 2**63, 10**20, 10**40]),
                 st.integers(min_value=0, max_value=2**80))
FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture
def visitors(app, make_person, cycle):
    """A signed-in client and its CSRF token per kind of visitor, made once per test."""
    made = {"anonymous": (app.test_client(), None)}
    for name, roles in ROLES.items():
        person = make_person(*roles, school="central" if name in ("trust_hr", "admin")
                             else "a")
        client = app.test_client()
        assert sign_in(client, person.email).status_code == 302
        made[name] = (client, csrf_token(client.get("/my-data")))
    return made


PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")  # <int:id>, <name>, <path:f>


def _path(rule, draw) -> str:
    """The rule's path with each placeholder filled: integers for <int:...>, text else."""
    return PLACEHOLDER.sub(lambda m: str(draw(ints)) if m.group(1) == "int"
                           else quote(draw(values), safe="") or "x", rule.rule)


@FUZZ
@example(data=None)
@given(data=st.data())
def test_no_route_answers_500_whatever_its_path_and_query(app, visitors, data):
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
                   key=lambda r: r.rule)
    if data is None:  # the explicit example: every route once, as HR, with huge ids
        cases = [(r, "trust_hr", _path(r, lambda s: 10**20 if s is ints else "x"), {})
                 for r in rules]
    else:
        rule = data.draw(st.sampled_from(rules))
        cases = [(rule, data.draw(st.sampled_from(VISITORS)), _path(rule, data.draw),
                  data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), values, max_size=4)))]
    for rule, visitor, path, query in cases:
        client, token = visitors[visitor]
        if "GET" in rule.methods:
            response = client.get(path, query_string=query)
        else:
            response = client.post(path, query_string=query,
                                   data={"csrf_token": token or "", **query})
        response.close()
        assert response.status_code < 500, (visitor, path, query, response.status_code)
