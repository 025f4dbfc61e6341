"""Recording a review that brings a new policy version: full or targeted retraining.

A hand-made trust on a hand-made policy (tests/helpers.py): from v1 to v2 the clause the
"friends" unit tests changes, the one "approval" tests only changes its spacing, and a new
clause is added, tested by the new "reporting" unit.
"""

import html
import io
import re
from datetime import date, timedelta

import pytest
from helpers import acknowledge, csrf_token, sign_in, table
from pypdf import PdfReader
from sqlalchemy import select

from elearn.current import content
from elearn.cycles.retraining import Retraining, plan_retraining
from elearn.cycles.review import ReviewError, record_review
from elearn.models import (
    Attempt,
    AttemptResult,
    AuditEvent,
    CarriedOverPass,
    Certificate,
    ReviewCycle,
    Role,
    utcnow,
)

TODAY = date.today()
NEXT_YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def content_dir(versioned_content):
    return versioned_content


def _passed(db, person, cycle, unit_id, number=1):
    attempt = Attempt(person_id=person.id, cycle_id=cycle.id, unit_id=unit_id, number=number,
                      content_fingerprint="x", question_ids=["q"], option_order={"q": []},
                      pass_mark=80, submitted_at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    db.session.add(AttemptResult(attempt_id=attempt.id, score=1, max_score=1, percent=100,
                                 passed=True, marks={"q": 1}))
    db.session.commit()
    return attempt


@pytest.fixture
def trust(db, make_person, cycle):
    """Ann passed every staff unit; Bob only "approval"; Cat, a governor, passed hers;
    Dan has done nothing; Eve at school B passed "friends" and "approval"."""
    people = {
        "ann": make_person(Role.STAFF, school="a", name="Ann"),
        "bob": make_person(Role.STAFF, school="a", name="Bob"),
        "cat": make_person(Role.GOVERNOR, school="a", name="Cat"),
        "dan": make_person(Role.STAFF, school="a", name="Dan"),
        "eve": make_person(Role.STAFF, school="b", name="Eve"),
    }
    attempts = {
        ("ann", "friends"): _passed(db, people["ann"], cycle, "friends"),
        ("ann", "approval"): _passed(db, people["ann"], cycle, "approval"),
        ("ann", "reporting"): _passed(db, people["ann"], cycle, "reporting"),
        ("bob", "approval"): _passed(db, people["bob"], cycle, "approval"),
        ("cat", "approval"): _passed(db, people["cat"], cycle, "approval"),
        ("eve", "friends"): _passed(db, people["eve"], cycle, "friends"),
        ("eve", "approval"): _passed(db, people["eve"], cycle, "approval"),
    }
    return people, attempts


def _carried(db, cycle_id):
    return {(p, u, a) for p, u, a in db.session.execute(
        select(CarriedOverPass.person_id, CarriedOverPass.unit_id, CarriedOverPass.attempt_id)
        .where(CarriedOverPass.cycle_id == cycle_id))}


def test_targeted_retraining_carries_over_exactly_the_units_no_change_touches(db, trust):
    people, attempts = trust
    new = record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v2",
                        Retraining.CHANGED).cycle
    db.session.commit()
    # "approval" cites only an unchanged clause: each pass of it carries over with the
    # original attempt. "friends" (changed clause) and "reporting" (added) do not.
    assert _carried(db, new.id) == {
        (people[p].id, "approval", attempts[(p, "approval")].id)
        for p in ("ann", "bob", "cat", "eve")}
    assert new.policy_version == "v2" and new.retraining == "changed"


def test_full_retraining_carries_nothing_over(db, trust):
    new = record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v2",
                        Retraining.ALL).cycle
    db.session.commit()
    assert _carried(db, new.id) == set()


def test_the_plan_counts_people_and_units_due_in_each_school(db, trust, schools):
    plan = plan_retraining(db.session, content(), "v2", Retraining.CHANGED)
    by_school = {s.school_name: s for s in plan.schools}
    a, b = by_school["School A"], by_school["School B"]
    # School A: Ann, Bob and Dan need friends and reporting; Dan approval too; Cat
    # (governor) carries her only unit over and has no unit due.
    assert (a.people, a.people_due) == (4, 3)
    assert a.units_due == {"friends": 3, "reporting": 3, "approval": 1}
    assert a.carried_over == 3
    assert (b.people, b.people_due, b.units_due) == (1, 1, {"friends": 1, "reporting": 1})
    everything = plan_retraining(db.session, content(), "v2", Retraining.ALL)
    assert {s.school_name: s.units_due for s in everything.schools}["School A"] == {
        "friends": 3, "reporting": 3, "approval": 4}


def test_learners_see_carried_over_units_and_take_only_the_rest(app, db, trust, trust_hr):
    people, _ = trust
    record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v2", Retraining.CHANGED)
    db.session.commit()
    client = app.test_client()
    sign_in(client, people["bob"].email)
    home = client.get("/").get_data(as_text=True)
    assert "Passed last time: still counts" in home
    assert home.count("Not started") == 2
    assert "The policy has changed" in home
    assert "1 scenario you passed last time still counts" in home
    assert home.count("about a rule that changed") == 2  # friends (changed), reporting (new)
    hr = trust_hr
    listing = hr.get("/hr/people?q=Bob").get_data(as_text=True)
    assert "1 unit carried over" in listing
    page = client.get("/units/approval")
    assert "so your pass still counts and you do not need to take it again" in page.get_data(
        as_text=True)
    assert "you do not need to take it again" not in client.get("/units/friends").get_data(
        as_text=True)
    refused = client.post("/units/approval/start", data={"csrf_token": csrf_token(page)},
                          follow_redirects=True).get_data(as_text=True)
    assert "carries over" in refused


def test_a_governor_whose_units_all_carry_over_completes_on_acknowledging(app, db, trust):
    people, _ = trust
    new = record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v2",
                        Retraining.CHANGED).cycle
    db.session.commit()
    client = app.test_client()
    sign_in(client, people["cat"].email)
    assert db.session.query(Certificate).count() == 0
    acknowledge(client)
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.cycle_id == new.id and certificate.policy_version == "v2"
    text = PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text()
    assert "version v2" in " ".join(text.split())


def test_history_and_old_certificates_are_kept_and_say_their_version(app, db, trust, cycle):
    people, _ = trust
    client = app.test_client()
    sign_in(client, people["ann"].email)
    acknowledge(client)
    [old] = db.session.scalars(select(Certificate)).all()
    assert old.policy_version == "v1"
    record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v2", Retraining.ALL)
    db.session.commit()
    assert db.session.query(Attempt).filter_by(cycle_id=cycle.id).count() == 7
    verify = app.test_client().get(f"/verify/{old.code}").get_data(as_text=True)
    assert "Expired" in verify and "version v1" in verify
    assert f"ended early by the review of {TODAY.day} {TODAY:%B %Y}" in verify
    assert "replaced by the policy review of" in client.get("/").get_data(as_text=True)
    assert "Not started" in client.get("/").get_data(as_text=True)


def test_a_review_naming_a_missing_version_changes_nothing(db, trust):
    with pytest.raises(ReviewError, match="no policy version 'v3'.*v1, v2"):
        record_review(db.session, content(), TODAY, NEXT_YEAR, TODAY, "v3",
                      Retraining.CHANGED)
    db.session.rollback()
    assert db.session.query(ReviewCycle).count() == 1
    assert db.session.query(CarriedOverPass).count() == 0


# HR's way in: preview, then confirm ------------------------------------------------------


def _review(client, **overrides):
    page = client.get("/hr/cycle")
    data = {"csrf_token": csrf_token(page), "reviewed_on": TODAY.isoformat(),
            "next_review": NEXT_YEAR.isoformat(), "version": "v2", "retraining": "changed"}
    return client.post("/hr/review", data={**data, **overrides})


def test_hr_sees_what_each_choice_means_per_school_before_anything_changes(db, trust, trust_hr):
    hr = trust_hr
    preview = _review(hr)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Nothing has changed yet" in body
    choices = table(preview, "under each choice")
    assert choices[1] == ["School", "People with units due", "Units to take",
                          "People with units due", "Units to take"]
    # everyone retrains: School A 4 people, 3+3+3+1 units; only what changed: 3, 3+3+1
    assert choices[2:] == [["School A", "4", "10", "3", "7"], ["School B", "1", "3", "1", "2"],
                           ["All schools", "5", "13", "4", "9"]]
    people = table(preview, "People in each school")
    assert people[1:] == [["School A", "4", "3", "3"], ["School B", "1", "1", "1"]]
    units = table(preview, "Units that become due")
    assert units[0] == ["Unit", "School A", "School B", "All schools"]
    assert units[1:] == [["Friends", "3", "1", "4"], ["Approval", "1", "0", "1"],
                         ["Reporting a concern", "3", "1", "4"]]
    assert db.session.query(ReviewCycle).count() == 1
    assert db.session.query(AuditEvent).filter_by(action="review-recorded").count() == 0
    done = _review(hr, confirm="yes")
    assert done.status_code == 302
    new = db.session.scalars(select(ReviewCycle).order_by(ReviewCycle.id.desc())).first()
    assert new.policy_version == "v2" and new.retraining == "changed"
    event = db.session.query(AuditEvent).filter_by(action="review-recorded").one()
    assert event.details["retraining"] == "changed" and event.details["carried_over"] == 4


def test_hr_naming_an_unknown_version_gets_a_clear_error_and_nothing_changes(db, trust, trust_hr):
    response = _review(trust_hr, version="v7", confirm="yes")
    assert response.status_code == 422
    assert "There is no policy version &#39;v7&#39;" in response.get_data(as_text=True)
    assert db.session.query(ReviewCycle).count() == 1


def test_cli_previews_records_a_targeted_review_and_audits_the_choice(runner, db, trust):
    args = ["review", "record", "--reviewed-on", TODAY.isoformat(), "--next-review",
            NEXT_YEAR.isoformat(), "--version", "v2", "--retrain", "changed"]
    declined = runner.invoke(args=args, input="n\n")
    assert declined.exit_code != 0 and "School A: 3 of 4 people due" in declined.output
    assert db.session.query(ReviewCycle).count() == 1
    done = runner.invoke(args=[*args, "--yes"])
    assert done.exit_code == 0, done.output
    assert db.session.query(CarriedOverPass).count() == 4
    event = db.session.query(AuditEvent).filter_by(action="review-recorded").one()
    assert event.details["retraining"] == "changed"


def test_cli_refuses_an_unknown_version_and_changes_nothing(runner, db, trust):
    result = runner.invoke(args=["review", "record", "--reviewed-on", TODAY.isoformat(),
                                 "--next-review", NEXT_YEAR.isoformat(), "--version", "v9",
                                 "--yes"])
    assert result.exit_code != 0 and "no policy version 'v9'" in result.output
    assert db.session.query(ReviewCycle).count() == 1


def test_changing_the_details_from_the_preview_keeps_what_was_entered(db, trust, trust_hr):
    hr = trust_hr
    body = _review(hr).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)">Change the review details', body).group(1)
    form = hr.get(html.unescape(back)).get_data(as_text=True)
    assert f'name="next_review-day" value="{NEXT_YEAR.day}"' in form
    assert f'name="next_review-month" value="{NEXT_YEAR.month}"' in form
    assert f'name="next_review-year" value="{NEXT_YEAR.year}"' in form
    assert re.search(r'value="changed"[^>]*checked|checked[^>]*value="changed"', form)


def test_confirming_the_same_review_twice_opens_one_cycle(db, trust, trust_hr):
    hr = trust_hr
    assert _review(hr, confirm="yes").status_code == 302
    again = _review(hr, confirm="yes")
    assert again.status_code == 422 and "already recorded" in again.get_data(as_text=True)
    assert db.session.query(ReviewCycle).count() == 2
