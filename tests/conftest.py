"""Shared fixtures: an app on a real SQLite file migrated by Alembic, people, a cycle."""

from __future__ import annotations

import contextvars
import email
import email.policy
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from helpers import (
    FIXTURE_CONTENT,
    PASSWORD,
    POSTGRES_URL,
    SIGNING_PASSWORD,
    free_port,
    sign_in,
    signing_identity,
    write_versioned_content,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from elearn import create_app
from elearn.auth.passwords import hash_password
from elearn.extensions import db as _db
from elearn.extensions import read_only_transaction
from elearn.models import Person, ReviewCycle, Role, School

_HASH = hash_password(PASSWORD)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context and database session, as in production.

    The test's own session commits before the request (so it holds no SQLite lock) and
    reads fresh rows after it.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed, already isolated
            return super().open(*args, **kwargs)
        _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        _db.session.expire_all()
        return response







def _postgres_admin():
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def new_database_url(tmp_path: Path) -> str:
    """A fresh, empty database for one test: a SQLite file, or a new PostgreSQL database."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    name = f"elearn_test_{uuid.uuid4().hex[:16]}"
    with _postgres_admin().connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def close_app(app) -> None:
    """Close an extra app's database connections and drop its database (PostgreSQL)."""
    with app.app_context():
        _db.engine.dispose()
    drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    with _postgres_admin().connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_ENVIRON = {"ELEARN_ENV": "testing", "ELEARN_SECRET_KEY": "test-secret-" + "x" * 40}


def make_app(tmp_path: Path, **overrides):
    config = {
        "ENVIRON": TEST_ENVIRON,
        "SQLALCHEMY_DATABASE_URI": new_database_url(tmp_path),
        "CONTENT_DIR": str(FIXTURE_CONTENT),
        "MAIL_SERVER": None,
        "SIGNING_P12": str(signing_identity()),
        "SIGNING_PASSWORD": SIGNING_PASSWORD,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=str(Path(app.root_path) / "migrations"))
    return app


@pytest.fixture
def content_dir() -> Path:
    """The training content the app loads; a test module may override this fixture."""
    return FIXTURE_CONTENT


@pytest.fixture
def extra_environ() -> dict[str, str]:
    """ELEARN_* settings added to the app's; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(tmp_path, content_dir, extra_environ):
    overrides = {"CONTENT_DIR": str(content_dir)}
    if extra_environ:
        overrides["ENVIRON"] = {**TEST_ENVIRON, **extra_environ}
    app = make_app(tmp_path, **overrides)
    # The test's own reads must not take SQLite's write lock (BEGIN IMMEDIATE) while a
    # served app is working; the test writes only when nothing else runs.
    read_only_transaction.set(True)
    with app.app_context():
        yield app
    # Ending the context closed its session, then the connections of views the test called
    # directly (they are kept for the session until then); now no connection is out.
    with app.app_context():
        _db.engine.dispose()
    drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (tests/sso_provider, on Authlib's server side) running
    as its own process on 127.0.0.1, shared by the tests that sign in with it."""
    from sso_provider import start_provider

    provider = start_provider()
    yield provider
    provider.stop()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def schools(db):
    a, b = School(name="School A"), School(name="School B")
    central = School(name="Central team", is_central=True)
    db.session.add_all([a, b, central])
    db.session.commit()
    return {"a": a, "b": b, "central": central}


@pytest.fixture
def make_person(db, schools):
    counter = iter(range(1, 10_000))

    def make(*roles: Role, school: str = "a", email: str | None = None,
             name: str | None = None, password_hash: str | None = _HASH) -> Person:
        n = next(counter)
        person = Person(name=name or f"Person {n}", email=email or f"person{n}@example.org",
                        school=schools[school], password_hash=password_hash)
        person.set_roles(set(roles) or {Role.STAFF})
        db.session.add(person)
        db.session.commit()
        return person

    return make


@pytest.fixture
def versioned_content(tmp_path) -> Path:
    return write_versioned_content(tmp_path / "versioned-content")


@pytest.fixture
def cycle(db):
    today = date.today()
    c = ReviewCycle(policy_id="test-policy", policy_version="v1",
                    reviewed_on=today - timedelta(days=30),
                    review_date=today + timedelta(days=60))
    db.session.add(c)
    db.session.commit()
    return c


@pytest.fixture
def start_attempt(db):
    """Starts a person's attempt at a unit of the fixture content ("friends" unless named)
    and commits it, as the start page does; returns the attempt."""
    from elearn.current import content
    from elearn.models import utcnow
    from elearn.quiz import attempts as service

    def start(person: Person, cycle: ReviewCycle, unit_id: str = "friends",
              started=None):
        attempt = service.start_attempt(db.session, content(), person, cycle, unit_id,
                                        date.today(), started or utcnow())
        db.session.commit()
        return attempt

    return start


@pytest.fixture
def newer_cycle(db, cycle):
    """Makes a second review cycle, of the policy's next version, the one in force today."""

    def make() -> ReviewCycle:
        newer = ReviewCycle(policy_id="test-policy", policy_version="v2",
                            reviewed_on=date.today(),
                            review_date=date.today() + timedelta(days=300))
        db.session.add(newer)
        db.session.commit()
        return newer

    return make


@pytest.fixture
def trust_hr(app, make_person):
    """A client signed in as an HR officer of the Trust's central team (every school)."""
    hr = app.test_client()
    sign_in(hr, make_person(Role.HR, school="central").email)
    return hr


@pytest.fixture
def signed_in(client, make_person):
    """A client signed in as a new member of staff; returns (client, person)."""
    def make(*roles: Role, **kwargs):
        person = make_person(*roles, **kwargs)
        response = sign_in(client, person.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, person

    return make


class MailCollector:
    """An aiosmtpd handler keeping every message the app sends."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mail_server(app):
    """A real SMTP server on 127.0.0.1; the app sends its mail there."""
    collector = MailCollector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield collector
    controller.stop()
    app.config.update(MAIL_SERVER=None)


@pytest.fixture
def trace_statements(db):
    """Call to see every statement SQLite is given from then on, as the driver sees it (the
    hot statements go to the driver directly, past SQLAlchemy's events)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's trace callback sees every statement the driver runs")
    sent: list[str] = []

    def trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(sent.append)

    def start() -> list[str]:
        db.session.remove()
        db.engine.dispose()  # connections made from now on are traced
        event.listen(db.engine, "connect", trace)
        return sent

    yield start
    event.remove(db.engine, "connect", trace)
    db.engine.dispose()
