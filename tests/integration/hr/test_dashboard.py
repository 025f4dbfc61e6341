"""The completion dashboard: figures against a hand-made trust, scoping, people, exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from helpers import sign_in, table
from openpyxl import load_workbook
from sqlalchemy import event

from elearn.current import content
from elearn.hr.completion import TrackState, completion, completion_groups
from elearn.hr.summary import grouped
from elearn.models import Attempt, CarriedOverPass, Person, Role


def _client(app, person):
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def test_completion_gives_each_persons_state_per_track(db, cycle, trust):
    rows = {r.name: r for r in completion(db.session, content(), cycle, date.today(), None)}
    assert set(rows) == {"Alice Able", "Bob Baker", "Cara Cole", "Dan Dale", "Eve Earl",
                         "Gus Gray", "Hal Hunt"}  # not the inactive, not HR (no track)
    assert rows["Alice Able"].tracks == (("staff", TrackState.COMPLETE),)
    assert rows["Bob Baker"].status is TrackState.IN_PROGRESS
    assert rows["Bob Baker"].best_percent == 60
    assert rows["Cara Cole"].status is TrackState.NOT_STARTED
    assert rows["Eve Earl"].tracks == (("governor", TrackState.COMPLETE),)
    assert rows["Gus Gray"].status is TrackState.NOT_STARTED  # an old cycle's attempt
    assert rows["Hal Hunt"].roles == ("leader", "staff")
    assert [c.track_id for c in rows["Alice Able"].certificates] == ["staff"]


def _counted(groups):
    return sorted((g.school_id, g.tracks, g.status, g.overdue, g.acknowledged, g.people)
                  for g in groups)


def test_the_dashboards_groups_count_the_same_people_in_the_same_states(db, cycle, trust):
    full = completion(db.session, content(), cycle, date.today(), None)
    groups = completion_groups(db.session, content(), cycle, date.today(), None)
    assert _counted(groups) == _counted(grouped(full))
    assert sum(g.people for g in groups) == len(full) == 7  # not the inactive, not HR


def test_the_dashboards_groups_count_a_track_begun_by_a_carried_over_pass_alone(
        db, cycle, trust):
    # Gus passed "friends" in the old cycle and retraining carried it over: no attempt in
    # this cycle, yet his staff track is begun. The groups read only the carried-over
    # passes for that mark.
    old_attempt = db.session.scalar(db.select(Attempt).where(
        Attempt.person_id == trust["b1"].id))
    db.session.add(CarriedOverPass(person_id=trust["b1"].id, cycle_id=cycle.id,
                                   unit_id="friends", attempt_id=old_attempt.id))
    db.session.commit()
    full = completion(db.session, content(), cycle, date.today(), None)
    gus = next(r for r in full if r.name == "Gus Gray")
    assert gus.status is TrackState.IN_PROGRESS and gus.carried_over == 1
    groups = completion_groups(db.session, content(), cycle, date.today(), {gus.school_id})
    assert _counted(groups) == _counted(grouped(r for r in full
                                                if r.school_id == gus.school_id))


def test_overview_shows_the_figures_per_school_and_the_trust_total(app, trust):
    page = _client(app, trust["hr"]).get("/hr/")
    assert page.status_code == 200
    rows = table(page, "Completion by school: people")
    header, body = rows[0], rows[1:]
    assert header[:8] == ["School", "People", "Complete", "In progress", "Not started",
                          "% complete", "Policy acknowledged", "Reminders"]
    by_school = {r[0]: r[1:6] for r in body}
    assert by_school["School A"] == ["5", "2", "1", "2", "40%"]
    assert by_school["School B"] == ["2", "0", "1", "1", "0%"]
    assert by_school["Trust total"] == ["7", "2", "2", "3", "29%"]  # 2 of 7, to the nearest
    assert "Central team" not in by_school  # nobody there has training to do
    text = page.get_data(as_text=True)
    assert "60 days left" in text


def test_every_figure_links_to_the_people_behind_it(app, trust):
    text = _client(app, trust["hr"]).get("/hr/").get_data(as_text=True)
    school_a = re.search(r'href="/hr/people\?school=(\d+)">School A<', text).group(1)
    for href, hidden in (
            (f"/hr/people?school={school_a}&amp;status=complete", "complete at School A"),
            ("/hr/people?status=complete", "complete across the Trust"),
            (f"/hr/people?school={school_a}&amp;status=not_started&amp;track=staff",
             "not started in the Staff track at School A"),
            ("/hr/people?status=not_started&amp;track=governor",
             "not started in the Governor track")):
        assert re.search(rf'<a href="{re.escape(href)}">\d+<span class="visually-hidden"> '
                         rf'{re.escape(hidden)}</span></a>', text), href


def test_overview_counts_each_track_per_school(app, trust):
    rows = table(_client(app, trust["hr"]).get("/hr/"), "Completion by school and track")
    figures = {(r[0], r[1]): r[2:6] for r in rows[1:]}
    assert figures[("School A", "Staff track")] == ["3", "1", "1", "1"]
    assert figures[("School A", "Governor track")] == ["2", "1", "0", "1"]
    assert figures[("School B", "Staff track")] == ["2", "0", "1", "1"]
    assert figures[("Trust total", "Staff track")] == ["5", "1", "2", "2"]


def test_chart_is_an_svg_image_with_a_name_and_each_schools_figure(app, trust):
    text = _client(app, trust["hr"]).get("/hr/").get_data(as_text=True)
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert "School A: 40% (2 of 5)" in svg and "School B: 0% (0 of 2)" in svg


def test_after_the_review_date_the_not_complete_are_overdue(app, db, cycle, trust):
    cycle.review_date = date.today() - timedelta(days=2)
    db.session.commit()
    client = _client(app, trust["hr"])
    rows = table(client.get("/hr/"), "Completion by school: people")
    by_school = {r[0]: r[1:7] for r in rows[1:]}
    assert rows[0][5] == "Overdue"
    assert by_school["School A"][4] == "3" and by_school["Trust total"][4] == "5"
    people = table(client.get("/hr/people?status=overdue"), "People and their training")
    assert [r[0] for r in people[1:]] == ["Bob Baker", "Cara Cole", "Dan Dale", "Gus Gray",
                                          "Hal Hunt"]


def test_head_teacher_sees_only_their_own_school(app, trust):
    head = _client(app, trust["b2"])
    page = head.get("/hr/")
    assert page.status_code == 200
    schools = [r[0] for r in table(page, "Completion by school: people")[1:]]
    assert schools == ["School B"]
    people_page = head.get("/hr/people")
    people = table(people_page, "People and their training")
    assert [r[0] for r in people[1:]] == ["Gus Gray", "Hal Hunt"]
    assert "<h1>People: School B</h1>" in people_page.get_data(as_text=True)
    assert "Alice Able" not in head.get("/hr/people.csv").get_data(as_text=True)


def test_head_teacher_gets_404_for_another_schools_person_filter_and_export(app, trust):
    head = _client(app, trust["b2"])
    school_a = trust["a1"].school_id
    assert head.get(f"/hr/people/{trust['a1'].id}").status_code == 404
    assert head.get(f"/hr/people?school={school_a}").status_code == 404
    assert head.get(f"/hr/people.csv?school={school_a}").status_code == 404
    assert head.get(f"/hr/people.xlsx?school={school_a}").status_code == 404
    assert head.get(f"/hr/people/{trust['b1'].id}").status_code == 200


def test_head_teacher_sees_governors_of_their_school(app, make_person, trust):
    head_a = _client(app, make_person(Role.STAFF, Role.LEADER, name="Head A"))
    names = [r[0] for r in table(head_a.get("/hr/people?role=governor"),
                                 "People and their training")[1:]]
    assert names == ["Dan Dale", "Eve Earl"]


def test_school_hr_sees_their_school_and_trust_hr_every_school(app, make_person, trust):
    school_hr = _client(app, make_person(Role.HR, school="b"))
    assert [r[0] for r in table(school_hr.get("/hr/"), "Completion by school")[1:]] == [
        "School B"]
    trust_hr = _client(app, trust["hr"])
    assert trust_hr.get(f"/hr/people/{trust['a1'].id}").status_code == 200


@pytest.mark.parametrize("path", ["/hr/", "/hr/people", "/hr/people.csv", "/hr/people.xlsx",
                                  "/hr/people/{a1}", "/hr/import"])
@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.ADMIN])
def test_other_roles_get_404_on_every_dashboard_page(app, make_person, trust, path, role):
    client = _client(app, make_person(role))
    assert client.get(path.format(a1=trust["a1"].id)).status_code == 404


def test_head_teacher_cannot_import_or_send_reminders(app, trust):
    head = _client(app, trust["b2"])
    assert head.get("/hr/import").status_code == 404
    token_page = head.get("/hr/")
    from helpers import csrf_token
    data = {"csrf_token": csrf_token(token_page)}
    assert head.post(f"/hr/people/{trust['b1'].id}/remind", data=data).status_code == 404
    assert head.post(f"/hr/schools/{trust['b1'].school_id}/remind",
                     data=data).status_code == 404


def test_people_list_filters_by_school_role_track_status_and_name(app, trust):
    client = _client(app, trust["hr"])
    school_b = trust["b1"].school_id

    def names(query):
        return [r[0] for r in table(client.get("/hr/people" + query),
                                    "People and their training")[1:]]

    assert names(f"?school={school_b}") == ["Gus Gray", "Hal Hunt"]
    assert names("?role=leader") == ["Hal Hunt"]
    assert names("?track=governor") == ["Dan Dale", "Eve Earl"]
    assert names("?status=complete") == ["Alice Able", "Eve Earl"]
    assert names("?status=not_started&track=staff") == ["Cara Cole", "Gus Gray"]
    assert names("?status=incomplete&school=" + str(school_b)) == ["Gus Gray", "Hal Hunt"]
    assert names("?q=bak") == ["Bob Baker"]
    assert names("?role=wizard") == names("")  # a value meaning nothing is ignored


def test_people_list_sorts_and_marks_the_sorted_column(app, trust):
    client = _client(app, trust["hr"])
    page = client.get("/hr/people?sort=units&dir=desc")
    rows = table(page, "People and their training")
    names = [r[0] for r in rows[1:]]
    assert names[:2] == ["Alice Able", "Eve Earl"]  # every unit passed
    passed = dict(zip(names, [r[rows[0].index("Units passed")] for r in rows[1:]], strict=True))
    assert passed["Alice Able"] == "2 of 2" and passed["Eve Earl"] == "1 of 1"
    assert passed["Bob Baker"] == "0 of 2"  # a failed attempt and one not submitted
    text = page.get_data(as_text=True)
    assert 'aria-sort="descending"' in text and text.count("aria-sort=") == 1
    by_status = [r[0] for r in table(client.get("/hr/people?sort=status"),
                                     "People and their training")[1:]]
    assert by_status[-2:] == ["Alice Able", "Eve Earl"]  # complete last


def test_people_list_is_paginated(app, make_person, trust):
    for n in range(60):
        make_person(Role.STAFF, name=f"Zed {n:02d}")
    client = _client(app, trust["hr"])
    first = client.get("/hr/people")
    assert len(table(first, "People and their training")) == 51
    assert "Showing 1–50 of 67 people" in first.get_data(as_text=True)
    second = client.get("/hr/people?page=2")
    assert len(table(second, "page 2 of 2")) == 18
    text = second.get_data(as_text=True)
    assert 'aria-label="Pages of people"' in text and 'aria-current="page"' in text


def test_person_page_shows_attempts_certificates_and_reminders(app, db, cycle, trust):
    from elearn.models import ReminderLog
    db.session.add(ReminderLog(person_id=trust["a2"].id, cycle_id=cycle.id, kind="30-days"))
    db.session.commit()
    client = _client(app, trust["hr"])
    page = client.get(f"/hr/people/{trust['a2'].id}")
    attempts = table(page, "Attempts by Bob Baker")
    assert len(attempts) == 3
    assert sorted(r[:3] for r in attempts[1:]) == [["Approval", "Current", "1"],
                                                   ["Friends", "Current", "1"]]
    assert any("3 of 5 (60%)" in cell for row in attempts for cell in row)
    reminders = table(page, "Reminders to Bob Baker")
    assert reminders[1][1:] == ["30 days before", "Daily reminder job", "Yes"]
    alice = client.get(f"/hr/people/{trust['a1'].id}").get_data(as_text=True)
    assert "/certificates/TESTCODE" in alice
    gus = table(client.get(f"/hr/people/{trust['b1'].id}"), "Attempts by Gus Gray")
    assert gus[1][1].startswith("Earlier (due ")  # attempts of earlier cycles are listed too


def test_csv_export_holds_exactly_the_filtered_people(app, trust):
    client = _client(app, trust["hr"])
    response = client.get("/hr/people.csv?status=incomplete&track=staff")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Email", "School"]
    assert [r[0] for r in rows[1:]] == ["Bob Baker", "Cara Cole", "Gus Gray", "Hal Hunt"]


def test_xlsx_export_holds_exactly_the_filtered_people(app, trust):
    client = _client(app, trust["hr"])
    response = client.get(f"/hr/people.xlsx?school={trust['a1'].school_id}&sort=name")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["Alice Able", "Bob Baker", "Cara Cole", "Dan Dale",
                                          "Eve Earl"]
    alice = values[1]
    assert alice[6] == "complete" and alice[7] == "no"
    assert alice[9] == 100 and alice[10].startswith("TEST-CODE-")


def test_csv_export_states_its_charset_once(app, trust):
    response = _client(app, trust["hr"]).get("/hr/people.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_exports_are_named_after_the_school_the_cycle_and_the_day(app, cycle, trust):
    client = _client(app, trust["hr"])
    school_a = trust["a1"].school_id
    stamp = f"cycle-to-{cycle.review_date.isoformat()}-on-{date.today().isoformat()}"
    response = client.get(f"/hr/people.xlsx?school={school_a}")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="training-completion-school-a-{stamp}.xlsx"'
    assert client.get("/hr/people.csv").headers["Content-Disposition"] == \
        f'attachment; filename="training-completion-trust-{stamp}.csv"'
    head = _client(app, trust["b2"])  # a head teacher sees their own school only
    assert f"training-completion-school-b-{stamp}.csv" in head.get(
        "/hr/people.csv").headers["Content-Disposition"]


def test_xlsx_export_has_a_frozen_filtered_header_widths_and_date_cells(app, db, trust):
    from datetime import datetime

    from elearn.models import Certificate

    client = _client(app, trust["hr"])
    sheet = load_workbook(io.BytesIO(client.get("/hr/people.xlsx?sort=name").data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}" and sheet.max_row == 8
    widths = {col: sheet.column_dimensions[col].width for col in "ABFK"}
    assert all(w >= 20 for w in widths.values()), widths
    header = [c.value for c in sheet[1]]
    alice = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert alice["Name"].value == "Alice Able"
    last = alice["Last activity"]
    assert last.is_date and isinstance(last.value, datetime)
    assert last.number_format == "yyyy-mm-dd hh:mm"
    code = db.session.query(Certificate).filter_by(person_id=trust["a1"].id).one().code
    assert alice["Certificates"].value == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    cara = {h: c.value for h, c in zip(header, sheet[4], strict=True)}
    assert cara["Name"] == "Cara Cole" and cara["Last activity"] is None


def test_exports_never_hold_a_formula(app, db, make_person, trust):
    make_person(Role.STAFF, name="=HYPERLINK(\"http://evil\",\"x\")")
    make_person(Role.STAFF, name="+1+2", email="plus@example.org")
    make_person(Role.STAFF, name="@SUM(A1)", email="at@example.org")
    client = _client(app, trust["hr"])
    text = client.get("/hr/people.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1+2" in text and "'@SUM(A1)" in text
    sheet = load_workbook(io.BytesIO(client.get("/hr/people.xlsx").data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in [c.value for c in cells]


def _count_queries(app, db, client, path):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _grow(db, make_person, progress, n):
    for i in range(n):
        person = make_person(Role.STAFF, Role.GOVERNOR if i % 3 == 0 else Role.STAFF,
                             school="a" if i % 2 else "b")
        if i % 4:
            progress.attempt(person, "friends", 60 + i % 5 * 10)
        if i % 5 == 0:
            progress.complete(person, "staff", ("friends", "approval"))


@pytest.mark.parametrize("path", ["/hr/", "/hr/people", "/hr/people?sort=status",
                                  "/hr/people.csv", "/hr/people.xlsx"])
def test_number_of_queries_does_not_grow_with_the_number_of_people(
        app, db, make_person, progress, cycle, path):
    hr = make_person(Role.HR, school="central")
    client = _client(app, hr)
    _grow(db, make_person, progress, 5)
    with_5 = _count_queries(app, db, client, path)
    _grow(db, make_person, progress, 45)
    assert db.session.query(Person).count() == 51
    assert _count_queries(app, db, client, path) == with_5


def test_nav_links_completion_for_hr_and_head_teachers_and_review_cycle_for_admins(
        app, make_person, trust):
    def nav(person):
        text = _client(app, person).get("/policy").get_data(as_text=True)
        return re.sub(r"\s+>", ">", text)

    assert 'href="/hr/">Completion</a>' in nav(trust["b2"])
    assert 'href="/hr/">Completion</a>' in nav(trust["hr"])
    admin = make_person(Role.ADMIN, school="central")
    assert 'href="/hr/cycle">Review cycle</a>' in nav(admin)
    assert "/hr/" not in nav(trust["a3"])
    assert _client(app, admin).get("/hr/cycle").status_code == 200


@pytest.mark.parametrize("path", ["/hr/", "/hr/people", "/hr/import"])
def test_every_table_scrolls_in_a_named_region_a_keyboard_can_reach(app, trust, path):
    text = _client(app, trust["hr"]).get(path).get_data(as_text=True)
    regions = re.findall(r'<div class="table-wrap"([^>]*)>', text)
    assert regions
    for attributes in regions:
        assert 'role="region"' in attributes and 'tabindex="0"' in attributes
        label = re.search(r'aria-labelledby="([\w-]+)"', attributes).group(1)
        assert re.search(rf'<caption id="{label}"', text), label
