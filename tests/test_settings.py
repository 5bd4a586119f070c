"""Settings, weakest first: defaults < instance/config.py < APP_* environment < create_app(mapping).

The instance folder is set with APP_INSTANCE_PATH to one in tmp_path: the real instance/ is
never touched."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import session
from sqlalchemy import text
from support.people import Api

from app import create_app, settings
from app.extensions import db


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder for create_app, and no APP_* variables from the outside."""
    path = tmp_path / "instance"
    for name in list(os.environ):
        if name.startswith(settings.ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv(settings.ENV_PREFIX + "INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def build(instance):
    """create_app, with every engine it made disposed of afterwards."""
    made = []

    def make(config=None):
        app = create_app(config)
        assert Path(app.instance_path) == instance
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def write_config(instance: Path, body: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(body)


def test_defaults(build, instance):
    app = build({"SECRET_KEY": "rahasia-uji"})
    assert app.config["MAX_UPLOAD_MB"] == 20
    assert app.config["UPLOAD_DIR"] == str(instance / "uploads")
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'app.db'}"
    assert app.secret_key == "rahasia-uji"
    assert not (instance / "secret_key").exists()


def test_default_database_is_sqlite_in_the_instance_folder(build, instance):
    app = build({"SECRET_KEY": "rahasia-uji"})
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        assert Path(db.engine.url.database) == instance / "app.db"
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert (instance / "app.db").is_file()


def test_instance_config_overrides_defaults(build, instance, tmp_path):
    elsewhere = tmp_path / "lain.db"
    write_config(instance, f'MAX_UPLOAD_MB = 5\nDATABASE_URL = "sqlite:///{elsewhere}"\n'
                           f'SECRET_KEY = "dari-config"\nUPLOAD_DIR = "{tmp_path / "unggahan"}"\n')
    app = build()
    assert app.config["MAX_UPLOAD_MB"] == 5
    assert app.config["DATABASE_URL"] == f"sqlite:///{elsewhere}"
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "unggahan")
    assert app.secret_key == "dari-config"
    with app.app_context():
        assert Path(db.engine.url.database) == elsewhere
    assert not (instance / "secret_key").exists()


def test_precedence_weakest_first(build, instance, monkeypatch):
    write_config(instance, "MAX_UPLOAD_MB = 5\nPER_PAGE = 7\nTOKEN_TTL_HOURS = 3\n"
                           'SECRET_KEY = "dari-config"\n')
    monkeypatch.setenv("APP_PER_PAGE", "8")
    monkeypatch.setenv("APP_TOKEN_TTL_HOURS", "4")
    monkeypatch.setenv("APP_SECRET_KEY", "dari-lingkungan")
    app = build({"TOKEN_TTL_HOURS": 6})
    assert app.config["MAX_BPMN_KB"] == settings.DEFAULTS["MAX_BPMN_KB"]  # default only
    assert app.config["MAX_UPLOAD_MB"] == 5                                # config.py over default
    assert app.config["PER_PAGE"] == 8                                     # environment over config.py
    assert app.secret_key == "dari-lingkungan"
    assert app.config["TOKEN_TTL_HOURS"] == 6                              # mapping over environment


def test_mapping_overrides_environment_for_every_source(build, instance, monkeypatch, tmp_path):
    write_config(instance, 'UPLOAD_DIR = "/tidak/dipakai/config"\n')
    monkeypatch.setenv("APP_UPLOAD_DIR", "/tidak/dipakai/env")
    monkeypatch.setenv("APP_MAX_UPLOAD_MB", "9")
    app = build({"SECRET_KEY": "s", "UPLOAD_DIR": str(tmp_path / "u"), "MAX_UPLOAD_MB": 2})
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "u")
    assert app.config["MAX_UPLOAD_MB"] == 2


def test_environment_database_url_overrides_instance_config(build, instance, monkeypatch, tmp_path):
    write_config(instance, f'DATABASE_URL = "sqlite:///{tmp_path / "dari-config.db"}"\n')
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'dari-env.db'}")
    app = build({"SECRET_KEY": "s"})
    with app.app_context():
        assert Path(db.engine.url.database) == tmp_path / "dari-env.db"


def test_max_upload_mb_from_environment_is_an_int(build, monkeypatch):
    monkeypatch.setenv("APP_MAX_UPLOAD_MB", "7")
    app = build({"SECRET_KEY": "s"})
    assert app.config["MAX_UPLOAD_MB"] == 7
    assert type(app.config["MAX_UPLOAD_MB"]) is int
    # The request limit follows it: 7 MB of file fit, a little more than 8 MB does not.
    assert 7 * 1024 * 1024 <= app.config["MAX_CONTENT_LENGTH"] < 8 * 1024 * 1024


def test_max_upload_mb_from_environment_limits_uploads(app_factory, make_user, monkeypatch):
    """Through the API: APP_MAX_UPLOAD_MB=1 makes a 1.5 MB upload answer 413."""
    token = make_user("desain1", "desain").token
    monkeypatch.setenv("APP_MAX_UPLOAD_MB", "1")
    limited = app_factory()  # no MAX_UPLOAD_MB in the mapping: the environment decides
    assert limited.config["MAX_UPLOAD_MB"] == 1
    api = Api(limited.test_client(), token)
    response = api.upload("/files", b"%PDF-1.4\n" + b"0" * (1536 * 1024), "besar.pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert api.upload("/files", b"%PDF-1.4\n%%EOF\n", "kecil.pdf").status_code == 201


def test_secret_key_is_generated_once_with_mode_600_and_reused(build, instance):
    assert not (instance / "secret_key").exists()
    first = build()
    path = instance / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert len(key) >= 32
    assert first.secret_key == key

    second = build()
    assert second.secret_key == key
    assert path.read_text().strip() == key

    # Sessions signed by the first start are still valid after the second.
    def set_value():
        session["x"] = 1
        return "ok"

    first.add_url_rule("/_set", "set", set_value)
    second.add_url_rule("/_get", "get", lambda: str(session.get("x")))
    client = first.test_client()
    client.get("/_set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/_get").get_data(as_text=True) == "1"


def test_each_installation_gets_its_own_secret_key(tmp_path, monkeypatch):
    keys = []
    for name in ("satu", "dua"):
        path = tmp_path / name
        monkeypatch.setenv(settings.ENV_PREFIX + "INSTANCE_PATH", str(path))
        monkeypatch.delenv("APP_SECRET_KEY", raising=False)
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / name}.db"})
        keys.append(app.secret_key)
        assert (path / "secret_key").read_text().strip() == app.secret_key
        with app.app_context():
            db.engine.dispose()
    assert keys[0] != keys[1]


def test_configured_secret_key_writes_no_file(build, instance, monkeypatch):
    monkeypatch.setenv("APP_SECRET_KEY", "dari-lingkungan")
    app = build()
    assert app.secret_key == "dari-lingkungan"
    assert not (instance / "secret_key").exists()
