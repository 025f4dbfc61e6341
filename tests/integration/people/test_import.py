"""Staff import: validate every row, preview, confirm; all or nothing; invitations."""

from __future__ import annotations

import io
import re

import pytest
from helpers import csrf_token, page_text, sign_in

from elearn.models import Person, Role, StaffImport

GOOD = (
    "name,email,school,roles,job_title\n"
    "Ann Lee,Ann.Lee@Example.org,School A,staff,Class teacher\n"
    "Ben Roe,ben@example.org,School A,staff;leader,Head teacher\n"
    "Cy Dee,cy@example.org,School B,\"governor, staff\",\n"
)


@pytest.fixture
def hr(app, make_person):
    person = make_person(Role.HR, school="central", email="hr@example.org")
    client = app.test_client()
    sign_in(client, person.email)
    return client


def _upload(client, text: str | bytes, leavers: bool = False):
    page = client.get("/hr/import")
    data = {"csrf_token": csrf_token(page),
            "file": (io.BytesIO(text.encode() if isinstance(text, str) else text),
                     "staff.csv")}
    if leavers:
        data["deactivate_leavers"] = "y"
    return client.post("/hr/import", data=data, content_type="multipart/form-data")


def _confirm(client, response, understand: bool = False):
    preview = client.get(response.headers["Location"])
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"',
                       preview.get_data(as_text=True)).group(1)
    data = {"csrf_token": csrf_token(preview), "digest": digest}
    if understand:
        data["understand_leavers"] = "y"
    return client.post(response.headers["Location"], data=data)


def _emails(db):
    return {p.email for p in db.session.query(Person)}


def test_upload_shows_a_preview_and_writes_no_one(hr, db, schools):
    before = _emails(db)
    response = _upload(hr, GOOD)
    assert response.status_code == 302
    preview = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 to add" in preview.replace("<strong>", "").replace("</strong>", "")
    assert "ann.lee@example.org" in preview and "Nothing has been saved yet" in preview
    assert _emails(db) == before


def test_confirming_adds_the_people_and_emails_each_an_invitation(hr, db, schools,
                                                                   mail_server):
    response = _confirm(hr, _upload(hr, GOOD))
    assert response.status_code == 302
    ann = db.session.query(Person).filter_by(email="ann.lee@example.org").one()
    assert ann.name == "Ann Lee" and ann.roles == {Role.STAFF}
    assert ann.job_title == "Class teacher" and ann.password_hash is None
    cy = db.session.query(Person).filter_by(email="cy@example.org").one()
    assert cy.roles == {Role.GOVERNOR, Role.STAFF} and cy.school.name == "School B"
    assert {m["To"] for m in mail_server.messages} == {
        "ann.lee@example.org", "ben@example.org", "cy@example.org"}
    body = mail_server.to("ben@example.org")[0].get_content()
    assert "/invitation/" in body


def test_an_error_in_any_row_imports_nothing_and_lists_each_bad_row(hr, db, schools):
    before = _emails(db)
    text = ("name,email,school,roles\n"
            "Good One,good@example.org,School A,staff\n"
            "Bad Email,not-an-email,School A,staff\n"
            ",noname@example.org,School A,staff\n"
            "Nowhere,nowhere@example.org,Hogwarts,staff\n"
            "Wizard,wizard@example.org,School A,wizard\n"
            "Admin,admin@example.org,School A,admin\n"
            "Twice,GOOD@example.org,School B,staff\n")
    response = _upload(hr, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported: 6 problems" in page
    for line, reason in [(3, "not a valid email"), (4, "A name is required"),
                         (5, "not a school of the Trust"), (6, "&#39;wizard&#39; is not a role"),
                         (7, "cannot be given by import"), (8, "also on line 2")]:
        assert re.search(rf"Line {line}:</strong>[^<]*{reason}", page), (line, reason)
    assert _emails(db) == before
    assert db.session.query(StaffImport).count() == 0


def test_missing_columns_and_a_non_utf8_file_are_explained(hr, schools):
    missing = _upload(hr, "name,email\nAnn,ann@example.org\n").get_data(as_text=True)
    assert "missing: school, roles" in missing
    latin1 = _upload(hr, "name,email,school,roles\nZoë,z@example.org,School A,staff\n"
                     .encode("latin-1")).get_data(as_text=True)
    assert "not UTF-8" in latin1


def test_reimporting_the_same_file_changes_nothing(hr, db, schools, mail_server):
    _confirm(hr, _upload(hr, GOOD))
    db.session.expire_all()
    snapshot = {(p.email, p.name, p.school_id, p.job_title, p.active, p.roles)
                for p in db.session.query(Person)}
    again = _upload(hr, GOOD)
    preview = hr.get(again.headers["Location"]).get_data(as_text=True)
    assert "everyone in the file is already up to date" in preview
    assert "Confirm" not in preview
    db.session.expire_all()
    assert {(p.email, p.name, p.school_id, p.job_title, p.active, p.roles)
            for p in db.session.query(Person)} == snapshot
    assert len(mail_server.messages) == 3


def test_changes_are_previewed_and_applied(hr, db, make_person, schools, mail_server):
    ann = make_person(Role.STAFF, email="ann.lee@example.org", name="Ann Leigh")
    response = _upload(hr, GOOD)
    preview = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Name: Ann Leigh → Ann Lee" in preview
    _confirm(hr, response)
    db.session.expire_all()
    assert db.session.get(Person, ann.id).name == "Ann Lee"
    assert not mail_server.to("ann.lee@example.org")  # not new: no invitation


def test_leavers_are_deactivated_and_signed_out_only_when_asked(app, hr, db, make_person,
                                                                schools, mail_server):
    leaver = make_person(Role.STAFF, email="gone@example.org", name="Gone Away")
    other_school = make_person(Role.STAFF, school="b", email="stays@example.org")
    school_hr = make_person(Role.HR, email="schoolhr@example.org")
    leaver_client = app.test_client()
    sign_in(leaver_client, leaver.email)
    assert leaver_client.get("/").status_code == 200
    only_a = "name,email,school,roles\nAnn Lee,ann@example.org,School A,staff\n"
    without = hr.get(_upload(hr, only_a).headers["Location"]).get_data(as_text=True)
    assert "Gone Away" not in without
    response = _upload(hr, only_a, leavers=True)
    preview = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gone Away" in preview and "stays@example.org" not in preview
    assert "schoolhr@example.org" not in preview  # HR is never a leaver
    _confirm(hr, response, understand=True)  # 1 of the school's 2 active people
    db.session.expire_all()
    assert db.session.get(Person, leaver.id).active is False
    assert db.session.get(Person, other_school.id).active is True
    assert db.session.get(Person, school_hr.id).active is True
    assert leaver_client.get("/").status_code == 302  # their session has ended


def test_confirmation_revalidates_and_refuses_a_changed_plan(hr, db, make_person, schools):
    response = _upload(hr, GOOD)
    preview = hr.get(response.headers["Location"])
    make_person(Role.STAFF, email="ben@example.org", name="Ben Changed")  # meanwhile
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"',
                       preview.get_data(as_text=True)).group(1)
    refused = hr.post(response.headers["Location"], data={
        "csrf_token": csrf_token(preview), "digest": digest})
    assert refused.status_code == 409
    assert "changed since this preview" in refused.get_data(as_text=True)
    assert db.session.query(Person).filter_by(email="ann.lee@example.org").count() == 0


def test_an_import_is_applied_once_and_only_by_its_uploader(app, hr, db, make_person,
                                                            schools, mail_server):
    response = _upload(hr, GOOD)
    other = app.test_client()
    sign_in(other, make_person(Role.HR, school="central").email)
    assert other.get(response.headers["Location"]).status_code == 404
    _confirm(hr, response)
    again = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import done" in again and "3 added" in again
    assert len(mail_server.messages) == 3


def test_school_hr_may_import_only_into_their_own_school(app, db, make_person, schools):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="a").email)
    response = _upload(client, GOOD)
    assert response.status_code == 422
    assert "Line 4:</strong> &#39;School B&#39; is not a school you manage" in \
        response.get_data(as_text=True)


def test_cli_import_prints_the_preview_and_imports_with_yes(runner, db, schools, tmp_path,
                                                            mail_server):
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    dry = runner.invoke(args=["people", "import", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "add     line 2: Ann Lee <ann.lee@example.org>" in dry.output
    assert "Preview: 3 to add, 0 to change, 0 to deactivate" in dry.output
    assert "Not imported" in dry.output
    assert db.session.query(Person).filter_by(email="ann.lee@example.org").count() == 0
    done = runner.invoke(args=["people", "import", str(path), "--yes"])
    assert done.exit_code == 0, done.output
    assert "Imported: 3 added (invited)" in done.output
    assert db.session.query(Person).filter_by(email="ann.lee@example.org").count() == 1
    assert len(mail_server.messages) == 3
    again = runner.invoke(args=["people", "import", str(path), "--yes"])
    assert "Nothing to do" in again.output and len(mail_server.messages) == 3


def test_cli_import_with_errors_lists_them_and_exits_non_zero(runner, db, schools, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("name,email,school,roles\nAnn,bad,School A,staff\n")
    result = runner.invoke(args=["people", "import", str(path), "--yes"])
    assert result.exit_code != 0
    assert "Line 2: 'bad' is not a valid email address" in result.output
    assert db.session.query(Person).count() == 0


def _school_of(make_person, staff: int, leaders: tuple[str, ...] = ()) -> list:
    people = [make_person(Role.STAFF, Role.LEADER, name=name) for name in leaders]
    people += [make_person(Role.STAFF) for _ in range(staff)]
    return people


def _one_row(person) -> str:
    return f"name,email,school,roles\n{person.name},{person.email},School A,staff\n"


def test_the_preview_shows_the_share_of_the_school_and_the_key_people_deactivated(
        hr, make_person, schools):
    people = _school_of(make_person, 11, leaders=("Kai Ward",))
    response = _upload(hr, _one_row(people[-1]), leavers=True)
    preview = hr.get(response.headers["Location"])
    text = page_text(preview)
    assert "Warning: 11 people will be deactivated" in text
    assert "11 of 12 people at School A (92% of the school's active people)" in text
    assert "Kai Ward" in text and "Head teacher or DSL" in text
    html = preview.get_data(as_text=True)
    assert 'class="button button-danger">Confirm and deactivate 11 people' in html
    assert "I understand 11 people will be deactivated and signed out, including 1 with a " \
           "key role" in text


def test_confirming_a_large_deactivation_without_the_tick_is_refused_and_changes_nothing(
        hr, db, make_person, schools, mail_server):
    people = _school_of(make_person, 12)
    response = _upload(hr, _one_row(people[0]), leavers=True)
    refused = _confirm(hr, response)
    assert refused.status_code == 422
    assert "Tick the box to confirm you understand 11 people will be deactivated" in \
        refused.get_data(as_text=True)
    db.session.expire_all()
    assert all(p.active for p in db.session.query(Person))
    assert db.session.get(StaffImport, int(response.headers["Location"].rsplit("/", 1)[1])
                          ).applied_at is None


def test_confirming_a_large_deactivation_with_the_tick_deactivates(hr, db, make_person,
                                                                    schools, mail_server):
    people = _school_of(make_person, 12)
    done = _confirm(hr, _upload(hr, _one_row(people[0]), leavers=True), understand=True)
    assert done.status_code == 302
    db.session.expire_all()
    assert [p.active for p in people] == [True] + [False] * 11


def test_any_head_teacher_among_few_leavers_needs_the_tick(hr, db, make_person, schools):
    people = _school_of(make_person, 19, leaders=("Kai Ward",))
    rows = "".join(f"{p.name},{p.email},School A,staff\n" for p in people[1:])
    response = _upload(hr, "name,email,school,roles\n" + rows, leavers=True)
    assert _confirm(hr, response).status_code == 422  # 1 of 20 people, but the head
    db.session.expire_all()
    assert db.session.get(Person, people[0].id).active


def test_a_small_share_of_ordinary_leavers_is_confirmed_without_the_tick(
        hr, db, make_person, schools, mail_server):
    people = _school_of(make_person, 10)
    rows = "".join(f"{p.name},{p.email},School A,staff\n" for p in people[1:])
    response = _upload(hr, "name,email,school,roles\n" + rows, leavers=True)
    preview = page_text(hr.get(response.headers["Location"]))
    assert "1 of 10 people at School A (10%" in preview
    assert "No head teacher, DSL or HR person is among them" in preview
    assert "I understand" not in preview
    assert _confirm(hr, response).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, people[0].id).active is False


def test_a_preview_without_leavers_keeps_the_usual_button(hr, schools):
    html = hr.get(_upload(hr, GOOD).headers["Location"]).get_data(as_text=True)
    assert 'class="button">Confirm: add 3, change 0, deactivate 0' in html
    assert "button-danger" not in html


def test_the_help_says_roles_are_separated_by_semicolons_only(hr):
    text = page_text(hr.get("/hr/import"))
    assert "several separated by ;, for example staff;leader" in text
    assert "; or ," not in text


def test_a_file_with_semicolons_between_columns_gets_a_specific_error(hr, db, schools):
    response = _upload(hr, "name;email;school;roles\nAnn Lee;ann@example.org;School A;staff\n")
    assert response.status_code == 422
    text = page_text(response)
    assert "This file uses semicolons between columns; save it as CSV with commas (in " \
           "Excel: CSV UTF-8)." in text
    assert "missing" not in text
    assert db.session.query(StaffImport).count() == 0


PARITY_FILE = ("name,email,school,roles\n"
               "Ann Lee,ann.lee@example.org,School A,staff\n"
               "Bo New,bo@example.org,School A,staff\n")


def _seed_parity_people(db, schools_by_name) -> None:
    """Ann, whose name the file changes, and Zed, a leaver the file leaves out."""
    for name, email in (("Ann Leigh", "ann.lee@example.org"), ("Zed Gone", "zed@example.org")):
        person = Person(name=name, email=email, school=schools_by_name["School A"])
        person.set_roles({Role.STAFF})
        db.session.add(person)
    db.session.commit()


def _import_audit(db) -> list[tuple]:
    """The import's audit events with database ids replaced by what they stand for, so two
    databases can be compared."""
    from elearn.models import AuditEvent

    email = {p.id: p.email for p in db.session.query(Person)}

    def plain(value):
        if isinstance(value, str) and value.startswith("import:"):
            return "import"
        if isinstance(value, str) and value.startswith("person:"):
            return email[int(value.split(":")[1])]
        if isinstance(value, list):
            return sorted(email.get(v, v) if isinstance(v, int) else plain(v) for v in value)
        return value

    events = db.session.query(AuditEvent).filter(
        AuditEvent.action.in_(["staff-imported", "person-changed"])).order_by(AuditEvent.id)
    return [(e.action, plain(e.subject), sorted((k, plain(v)) for k, v in e.details.items()))
            for e in events]


def test_the_command_line_import_writes_the_audit_events_the_web_import_writes(
        app, hr, db, schools, tmp_path):
    from conftest import close_app, make_app

    from elearn.extensions import db as other_db
    from elearn.models import School

    _seed_parity_people(db, {s.name: s for s in schools.values()})
    response = _upload(hr, PARITY_FILE, leavers=True)
    assert _confirm(hr, response, understand=True).status_code == 302
    db.session.expire_all()
    web = _import_audit(db)

    path = tmp_path / "staff.csv"
    path.write_text(PARITY_FILE, encoding="utf-8")
    (tmp_path / "cli").mkdir()
    other = make_app(tmp_path / "cli")
    try:
        with other.app_context():
            other_db.session.add_all([School(name="School A"), School(name="School B"),
                                      School(name="Central team", is_central=True)])
            other_db.session.commit()
            _seed_parity_people(other_db, {s.name: s for s in other_db.session.query(School)})
            done = other.test_cli_runner().invoke(
                args=["people", "import", str(path), "--deactivate-leavers", "--yes"])
            assert done.exit_code == 0, done.output
            cli = _import_audit(other_db)
            other_db.session.remove()
    finally:
        close_app(other)

    assert [action for action, _, _ in web] == ["staff-imported", "person-changed"]
    assert cli == web


def test_a_file_with_more_rows_than_the_limit_is_refused_quickly_and_nothing_is_kept(
        hr, db, schools):
    import time

    # Short rows: the count is refused before any row is checked. (Under 500 kB, which the
    # test client would spool to a file it never closes.)
    rows = "x,y,z,w,\n" * 20_001
    started = time.monotonic()
    response = _upload(hr, "name,email,school,roles,job_title\n" + rows)
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    assert "at most 20,000 people" in page_text(response)
    assert db.session.query(StaffImport).count() == 0
    assert db.session.query(Person).count() == 1  # only the HR officer


def test_a_name_with_a_bidi_override_is_refused_with_a_clear_message(hr, db, schools):
    response = _upload(hr, "name,email,school,roles\nEvil\u202eNames,e@example.org,School A,"
                           "staff\n")
    assert response.status_code == 422
    assert "control character" in page_text(response)
    assert db.session.query(Person).filter_by(email="e@example.org").count() == 0


def test_names_already_stored_are_shown_isolated_from_the_text_around_them(
        hr, db, make_person, cycle):
    odd = make_person(Role.STAFF, name="Old\u202eRecord")
    for path in ("/hr/people", f"/hr/people/{odd.id}"):
        assert re.search(r"<bdi>(<a [^>]*>)?Old\u202eRecord(</a>)?</bdi>",
                         hr.get(path).get_data(as_text=True)), path
