"""Fixtures: an app on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
migrated once per session and emptied before each test, with the shipped process deployed."""
from __future__ import annotations

import io
import os

import pytest
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, text

from app import create_app
from app.core import users
from app.extensions import db
from app.workflow import processes

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Emptied before each test, children first (from the models' metadata, so a new table is never
# forgotten), all but the seed data of the migrations: the OPDs (put back as they were made), the
# SOP's metadata, and the audit chain's head (one row, reset).
KEPT_TABLES = {"opd", "process_meta", "audit_head"}
PASSWORD = "kata-sandi-uji-123"


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


OPD_COLUMNS = "code, name, short_name, address, email, phone, website, active"


@pytest.fixture(scope="session")
def seeded_opds(migrated):
    """The OPD registry as the migrations seed it; tests that edit it get it back."""
    engine = create_engine(migrated)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT {OPD_COLUMNS} FROM opd"))]
    engine.dispose()
    return rows


def restore_opds(seeded: list[dict]) -> None:
    codes = {row["code"] for row in seeded}
    for (code,) in db.session.execute(text("SELECT code FROM opd")).all():
        if code not in codes:
            db.session.execute(text("DELETE FROM opd WHERE code = :code"), {"code": code})
    assignments = ", ".join(f"{c} = :{c}" for c in OPD_COLUMNS.split(", ")[1:])
    db.session.execute(text(f"UPDATE opd SET {assignments} WHERE code = :code"), seeded)


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


class Api:
    """A caller of /api/v1 with a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(), **kw)

    def upload(self, path, data: bytes, filename: str, **fields):
        return self.client.post("/api/v1" + path, headers=self._headers(),
                                data={"file": (io.BytesIO(data), filename), **fields},
                                content_type="multipart/form-data")


@pytest.fixture
def make_user(app, client):
    """Create a user with roles through the service and log them in through the API."""

    def make(username, *roles, opd=None):
        with app.app_context():
            users.create_user(username, list(roles), PASSWORD, opd=opd)
            db.session.commit()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return Api(client, response.get_json()["token"])

    return make


@pytest.fixture
def anonymous(client):
    return Api(client)


def image_bytes(kind="PNG", size=(4, 3), color=(200, 30, 30)) -> bytes:
    """A real image made in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


SAMPLE_CSV = b"kecamatan,jumlah\nMagetan,45780\nMaospati,48200\nPlaosan,50500\n"
