import pytest

from elearn.models import Person, Role
from elearn.people.rules import NewPerson, PersonError, add_person


def _count(db):
    return db.session.query(Person).count()


def test_add_person_stores_a_lower_cased_email_and_roles(db, schools):
    person = add_person(db.session, NewPerson("Ann Lee", "Ann.Lee@Example.org", "School A",
                                              ("staff", "governor")))
    db.session.commit()
    assert person.email == "ann.lee@example.org"
    assert person.roles == {Role.STAFF, Role.GOVERNOR}


@pytest.mark.parametrize("email", ["not-an-email", "ann@", "@example.org", "ann lee@x.org"])
def test_malformed_email_is_refused_and_nothing_is_added(db, schools, email):
    before = _count(db)
    with pytest.raises(PersonError, match="not a valid email"):
        add_person(db.session, NewPerson("Ann", email, "School A", ("staff",)))
    assert _count(db) == before


def test_duplicate_email_in_another_case_is_refused(db, schools):
    add_person(db.session, NewPerson("Ann", "ann@example.org", "School A", ("staff",)))
    db.session.commit()
    with pytest.raises(PersonError, match="already exists"):
        add_person(db.session, NewPerson("Ann again", "ANN@example.org", "School B", ("staff",)))


def test_unknown_role_is_refused(db, schools):
    with pytest.raises(PersonError, match="'wizard' is not a role"):
        add_person(db.session, NewPerson("Ann", "ann@example.org", "School A", ("wizard",)))


def test_unknown_school_is_refused(db, schools):
    with pytest.raises(PersonError, match="not a school of the Trust"):
        add_person(db.session, NewPerson("Ann", "ann@example.org", "Hogwarts", ("staff",)))


def test_cli_people_add_reports_bad_input_and_changes_nothing(runner, db, schools):
    before = _count(db)
    result = runner.invoke(args=["people", "add", "--name", "Ann", "--email", "nope",
                                 "--school", "School A", "--role", "staff"])
    assert result.exit_code != 0 and "not a valid email" in result.output
    result = runner.invoke(args=["people", "add", "--name", "Ann", "--email", "a@example.org",
                                 "--school", "School A", "--role", "wizard"])
    assert result.exit_code != 0 and "'wizard' is not a role" in result.output
    assert _count(db) == before


def test_cli_people_add_creates_an_admin_with_a_password(runner, db, schools, client):
    result = runner.invoke(args=["people", "add", "--name", "Ada Admin", "--email",
                                 "ada@example.org", "--school", "Central team", "--role",
                                 "admin", "--password", "a sound admin passphrase"])
    assert result.exit_code == 0, result.output
    from helpers import sign_in
    assert sign_in(client, "ada@example.org", "a sound admin passphrase").status_code == 302
