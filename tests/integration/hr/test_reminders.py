"""Reminder emails: the daily job sends each reminder at most once; HR sends by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import csrf_token, page_text, sign_in, table
from sqlalchemy.exc import IntegrityError

from elearn.current import content
from elearn.hr import reminders
from elearn.models import ReminderLog, Role


def _due_in(db, cycle, days: int) -> None:
    cycle.review_date = date.today() + timedelta(days=days)
    db.session.commit()


def _send(runner):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_daily_job_emails_everyone_not_complete_at_30_days(runner, db, cycle, trust,
                                                          mail_server):
    _due_in(db, cycle, 30)
    output = _send(runner)
    to = sorted(m["To"] for m in mail_server.messages)
    expected = sorted(trust[k].email for k in ("a2", "a3", "a4", "b1", "b2"))
    assert to == expected  # not the complete, the inactive, or HR
    assert "5 reminder(s) sent, 0 failed" in output
    assert f"sent   30-days  Bob Baker <{trust['a2'].email}>, School A" in output
    message = mail_server.to(trust["a2"].email)[0]
    assert "due in 30 days" in message["Subject"]
    body = message.get_content()
    assert "Staff track" in body and "http://127.0.0.1:5000/" in body
    assert "- Read and acknowledge the policy (version v1)" in body


def test_running_again_the_same_day_sends_nothing(runner, db, cycle, trust, mail_server):
    _due_in(db, cycle, 30)
    _send(runner)
    output = _send(runner)
    assert len(mail_server.messages) == 5
    assert "0 reminder(s) sent" in output


@pytest.mark.parametrize("days, kind", [(30, "30-days"), (14, "14-days"), (7, "7-days"),
                                        (1, "1-day"), (-1, "overdue")])
def test_each_threshold_is_sent_exactly_once(runner, db, cycle, trust, mail_server, days,
                                             kind):
    _due_in(db, cycle, days)
    for _ in range(3):
        _send(runner)
    person = trust["a3"]
    assert len(mail_server.to(person.email)) == 1
    assert [r.kind for r in db.session.query(ReminderLog).filter_by(
        person_id=person.id)] == [kind]


def test_a_whole_countdown_sends_one_email_per_threshold(runner, db, cycle, trust,
                                                         mail_server):
    person = trust["a3"]
    for days in range(35, -4, -1):  # a daily cron from 35 days before to 3 days after
        _due_in(db, cycle, days)
        _send(runner)
    subjects = [m["Subject"] for m in mail_server.to(person.email)]
    assert len(subjects) == 5
    assert [r.kind for r in db.session.query(ReminderLog).filter_by(
        person_id=person.id).order_by(ReminderLog.id)] == [
        "30-days", "14-days", "7-days", "1-day", "overdue"]


def test_a_person_added_5_days_before_gets_only_the_7_day_reminder(runner, db, cycle,
                                                                    make_person, mail_server):
    _due_in(db, cycle, 5)
    late = make_person(Role.STAFF)
    _send(runner)
    assert [m["Subject"] for m in mail_server.to(late.email)] == [
        "L.E.A.D. Academy Trust: Social Media Policy training due in 5 days"]


def test_the_database_refuses_a_second_automatic_reminder(db, cycle, trust):
    db.session.add(ReminderLog(person_id=trust["a3"].id, cycle_id=cycle.id, kind="7-days"))
    db.session.commit()
    db.session.add(ReminderLog(person_id=trust["a3"].id, cycle_id=cycle.id, kind="7-days"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    for _ in range(2):
        db.session.add(ReminderLog(person_id=trust["a3"].id, cycle_id=cycle.id, kind="manual"))
        db.session.commit()  # reminders sent by hand may repeat


def test_a_reminder_the_mail_server_refused_is_tried_again_next_run(runner, app, db, cycle,
                                                                    trust, mail_server):
    _due_in(db, cycle, 7)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    failed = runner.invoke(args=["reminders", "send"])
    assert failed.exit_code == 1 and "FAILED" in failed.output
    assert db.session.query(ReminderLog).count() == 0
    app.config["MAIL_PORT"] = port
    _send(runner)
    assert len(mail_server.messages) == 5


def test_dry_run_lists_who_is_due_and_sends_nothing(runner, db, cycle, trust, mail_server):
    _due_in(db, cycle, 14)
    result = runner.invoke(args=["reminders", "send", "--dry-run"])
    assert "would send 14-days  Cara Cole" in result.output
    assert mail_server.messages == [] and db.session.query(ReminderLog).count() == 0


def test_due_reminders_reads_with_a_fixed_number_of_queries(app, db, cycle, trust):
    from sqlalchemy import event
    statements = []

    def count(*args):
        statements.append(args[2])

    _due_in(db, cycle, 7)
    assert cycle.review_date  # loaded before counting
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        due = reminders.due_reminders(db.session, content(), cycle, date.today())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.startswith("SELECT")]
    # reminder log, school names, people, attempts, carried-over passes, acknowledgements,
    # completions: the same seven whatever the number of people
    assert len(due) == 5 and len(selects) == 7


def _hr(app, trust):
    client = app.test_client()
    sign_in(client, trust["hr"].email)
    return client


def test_hr_reminds_one_person_and_it_shows_on_their_page(app, db, cycle, trust,
                                                          mail_server):
    client = _hr(app, trust)
    page = client.get(f"/hr/people/{trust['a3'].id}")
    for _ in range(2):
        response = client.post(f"/hr/people/{trust['a3'].id}/remind",
                               data={"csrf_token": csrf_token(page), "confirm": "y"},
                               follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Reminder sent to 1 person" in text
    assert text.count("Sent by hand") == 2 and "Ivy HR" in text
    assert len(mail_server.to(trust["a3"].email)) == 2


def test_hr_does_not_remind_someone_already_complete(app, db, cycle, trust, mail_server):
    client = _hr(app, trust)
    page = client.get(f"/hr/people/{trust['a1'].id}")
    response = client.post(f"/hr/people/{trust['a1'].id}/remind",
                           data={"csrf_token": csrf_token(page), "confirm": "y"},
                               follow_redirects=True)
    assert "no training left to do" in response.get_data(as_text=True)
    assert mail_server.messages == []


def _remind_school_a(app, trust):
    """HR presses "Email a reminder" on School A's people list; the page it comes back to."""
    client = _hr(app, trust)
    school_a = trust["a1"].school_id
    page = client.get(f"/hr/people?school={school_a}")
    return client.post(f"/hr/schools/{school_a}/remind",
                       data={"csrf_token": csrf_token(page), "back": "people",
                             "confirm": "y"},
                       follow_redirects=True)


def test_hr_reminds_everyone_not_complete_in_a_school(app, db, cycle, trust, mail_server):
    response = _remind_school_a(app, trust)
    assert "Reminder sent to 3 people at School A" in response.get_data(as_text=True)
    assert sorted(m["To"] for m in mail_server.messages) == sorted(
        trust[k].email for k in ("a2", "a3", "a4"))
    logs = db.session.query(ReminderLog).all()
    assert {log.kind for log in logs} == {"manual"}
    assert {log.sent_by_id for log in logs} == {trust["hr"].id}


def test_school_hr_cannot_remind_another_schools_people(app, db, make_person, trust,
                                                        mail_server):
    client = app.test_client()
    sign_in(client, make_person(Role.HR, school="b").email)
    page = client.get("/hr/")
    data = {"csrf_token": csrf_token(page), "confirm": "y"}
    assert client.post(f"/hr/people/{trust['a3'].id}/remind", data=data).status_code == 404
    assert client.post(f"/hr/schools/{trust['a3'].school_id}/remind",
                       data=data).status_code == 404
    assert mail_server.messages == []


def test_without_a_mail_server_reminding_a_person_says_it_was_only_logged(app, db, cycle,
                                                                          trust):
    assert not app.config["MAIL_SERVER"]
    client = _hr(app, trust)
    page = client.get(f"/hr/people/{trust['a3'].id}")
    response = client.post(f"/hr/people/{trust['a3'].id}/remind",
                           data={"csrf_token": csrf_token(page), "confirm": "y"},
                               follow_redirects=True)
    text = page_text(response)
    assert "Not sent: no mail server is set up, so the reminder to 1 person was written to " \
           "the server log instead of being emailed." in text
    assert "Reminder sent to" not in text
    reminders_table = table(response, "Reminders to Cara Cole")
    assert reminders_table[1][1:] == [
        "Sent by hand", "Ivy HR",
        "No: written to the server log only, because no mail server was set up"]
    [log] = db.session.query(ReminderLog).all()
    assert log.logged_only is True


def test_without_a_mail_server_reminding_a_school_says_it_was_only_logged(app, db, cycle,
                                                                          trust):
    text = page_text(_remind_school_a(app, trust))
    assert "Not sent: no mail server is set up, so the reminder to 3 people at School A" in text
    assert {log.logged_only for log in db.session.query(ReminderLog)} == {True}


def test_reminders_emailed_through_a_mail_server_are_recorded_as_emailed(app, db, cycle,
                                                                         trust, mail_server):
    client = _hr(app, trust)
    page = client.get(f"/hr/people/{trust['a3'].id}")
    response = client.post(f"/hr/people/{trust['a3'].id}/remind",
                           data={"csrf_token": csrf_token(page), "confirm": "y"},
                               follow_redirects=True)
    assert table(response, "Reminders to Cara Cole")[1][-1] == "Yes"
    assert [log.logged_only for log in db.session.query(ReminderLog)] == [False]


@pytest.mark.parametrize("path", ["/hr/", "/hr/people", "/hr/people/{a3}"])
def test_hr_pages_say_plainly_when_no_mail_server_is_set_up(app, cycle, trust, path):
    text = page_text(_hr(app, trust).get(path.format(a3=trust["a3"].id)))
    assert "Emails are not being sent: reminders and invitations sent from here reach " \
           "nobody" in text
    assert "Your administrator can set up email" in text
    assert "ELEARN_MAIL_SERVER" not in text  # a setting HR cannot change means nothing to them


def test_administrators_are_told_which_setting_sends_email(app, cycle, make_person):
    client = app.test_client()
    sign_in(client, make_person(Role.ADMIN, school="central").email)
    text = page_text(client.get("/hr/cycle"))
    assert "To send email, set ELEARN_MAIL_SERVER" in text


def test_a_reminder_is_not_sent_until_its_box_is_ticked(app, db, cycle, trust, mail_server):
    client = _hr(app, trust)
    page = client.get(f"/hr/people/{trust['a3'].id}")
    assert "Yes, email Cara Cole now" in page_text(page)
    response = client.post(f"/hr/people/{trust['a3'].id}/remind",
                           data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Tick the box to confirm you want to send the reminder. No reminder was sent." \
        in page_text(response)
    school_a = trust["a1"].school_id
    response = client.post(f"/hr/schools/{school_a}/remind",
                           data={"csrf_token": csrf_token(page), "back": "people"},
                           follow_redirects=True)
    assert "No reminder was sent." in page_text(response)
    assert mail_server.messages == [] and db.session.query(ReminderLog).count() == 0


def test_without_a_mail_server_the_box_says_nobody_will_receive_it(app, cycle, trust):
    page = _hr(app, trust).get(f"/hr/people/{trust['a3'].id}")
    assert "knowing that no email is sent: nobody will receive it" in page_text(page)


def test_hr_pages_say_nothing_about_mail_when_a_mail_server_is_set_up(app, cycle, trust,
                                                                      mail_server):
    assert "Emails are not being sent" not in page_text(_hr(app, trust).get("/hr/"))


def test_daily_job_without_a_mail_server_says_the_reminders_were_only_logged(runner, db,
                                                                             cycle, trust):
    _due_in(db, cycle, 30)
    output = _send(runner)
    assert f"logged 30-days  Bob Baker <{trust['a2'].email}>, School A" in output
    assert "were written to the log, not emailed" in output
    assert {log.logged_only for log in db.session.query(ReminderLog)} == {True}
