"""Fixtures: an app on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
migrated once per session and emptied before each test, with the shipped process deployed.

People, as in Flask's tutorial: on the screens, ``auth.login("redaktur")`` signs the test client
in through the /masuk form (making the user with that role and the known password when there is
none yet) and returns it, ``auth.logout()`` signs it out; for the API, ``make_user(username,
*roles)`` makes a user and returns their caller with a bearer token, ``anonymous`` one without.
Everything else the tests share is in tests/support/, never imported from here."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from support.database import OPD_COLUMNS, TEST_DATABASE_URL, restore_opds
from support.people import Api, AuthActions, api_caller, create_user

from app import create_app
from app.extensions import db
from app.workflow import processes

# Emptied before each test, children first (from the models' metadata, so a new table is never
# forgotten), all but the seed data of the migrations: the OPDs (put back as they were made), the
# SOP's metadata, and the audit chain's head (one row, reset).
KEPT_TABLES = {"opd", "process_meta", "audit_head"}


def pytest_report_header(config):
    return f"database: {'PostgreSQL (TEST_DATABASE_URL)' if TEST_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def seeded_opds(migrated):
    """The OPD registry as the migrations seed it; tests that edit it get it back."""
    engine = create_engine(migrated)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT {OPD_COLUMNS} FROM opd"))]
    engine.dispose()
    return rows


@pytest.fixture(scope="session")
def migrated(database_url):
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def make_app(database_url, tmp_path, **overrides):
    return create_app({
        "TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_DIR": str(tmp_path / "uploads"), "WTF_CSRF_ENABLED": False,
        # Fast hashes keep the suite quick; production keeps the default (scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOGIN_DELAY_SECONDS": 0, **overrides,
    })


@pytest.fixture
def app_factory(migrated, seeded_opds, tmp_path):
    """Build an app over the test database with extra settings; the database starts empty."""
    made = []

    def build(**overrides):
        app = make_app(migrated, tmp_path, **overrides)
        made.append(app)
        return app

    first = build()
    with first.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                db.session.execute(table.delete())
        db.session.execute(text("UPDATE audit_head SET last_event_id = NULL, last_hash = NULL"))
        restore_opds(seeded_opds)
        processes.deploy_shipped()
        db.session.commit()
    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(app, client):
    """Sign the test client in as a role through /masuk, and out: auth.login("redaktur"), auth.logout()."""
    return AuthActions(app, client)


@pytest.fixture
def make_user(app, client):
    """Create a user with roles through the service and log them in through the API."""

    def make(username, *roles, opd=None):
        create_user(app, username, *roles, opd=opd)
        return api_caller(client, username)

    return make


@pytest.fixture
def anonymous(client):
    return Api(client)
