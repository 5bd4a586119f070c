"""Production: the mode that refuses a generated secret or the default database, /healthz,
request ids and request logs, session and token expiry, and `make serve` as real processes."""
from __future__ import annotations

import gc
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import text
from support.people import PASSWORD

from app import create_app, settings
from app.core import users
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """No APP_* variables from the outside; the instance folder in tmp_path."""
    for name in list(os.environ):
        if name.startswith(settings.ENV_PREFIX):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv(settings.ENV_PREFIX + "INSTANCE_PATH", str(instance))
    return instance


def sign_in(app, username="pegawai"):
    with app.app_context():
        users.create_user(username, ["redaktur"], PASSWORD)
        db.session.commit()
    client = app.test_client()
    response = client.post("/masuk", data={"username": username, "password": PASSWORD},
                           base_url="https://localhost")
    assert response.status_code == 302
    return client


# Production mode -----------------------------------------------------------------------------

def test_production_refuses_a_generated_secret_key(environment, tmp_path, monkeypatch):
    environment.mkdir()
    (environment / "secret_key").write_text("generated-earlier")
    monkeypatch.setenv("APP_PRODUCTION", "1")
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(settings.SettingError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_the_default_database(environment, monkeypatch):
    monkeypatch.setenv("APP_PRODUCTION", "1")
    monkeypatch.setenv("APP_SECRET_KEY", "rahasia-produksi")
    with pytest.raises(settings.SettingError, match="DATABASE_URL"):
        create_app()
    assert not (environment / "app.db").exists()


@pytest.fixture
def unfrozen():
    """A production app freezes the heap it was built with; the tests give it back after."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_production_sends_the_session_cookie_over_https_only(app_factory, unfrozen):
    assert not app_factory().config["SESSION_COOKIE_SECURE"]
    client = sign_in(app_factory(PRODUCTION=True))
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie is not None and cookie.secure and cookie.http_only


def test_production_keeps_the_startup_heap_out_of_full_collections(app_factory, unfrozen):
    app_factory()
    assert gc.get_freeze_count() == 0  # development and tests: the collector sees everything
    app_factory(PRODUCTION=True)
    assert gc.get_freeze_count() > 10_000


def test_unknown_log_format_is_refused(environment):
    with pytest.raises(settings.SettingError, match="LOG_FORMAT"):
        create_app({"SECRET_KEY": "x", "LOG_FORMAT": "xml"})


# /healthz -----------------------------------------------------------------------------------

def test_healthz_reports_a_current_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "current", "revision": HEAD}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_migrations_behind_or_unknown(app_factory, tmp_path):
    app = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision="0007")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "migrations": "behind",
                                   "revision": "0007", "head": HEAD}
    with app.app_context():  # a database migrated by newer code than this
        db.session.execute(text("UPDATE alembic_version SET version_num = 'fffffff'"))
        db.session.commit()
    body = app.test_client().get("/healthz").get_json()
    assert body["migrations"] == "unknown" and body["revision"] == "fffffff"


def test_healthz_reports_an_unreachable_database(app_factory, tmp_path):
    app = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'no-such-dir' / 'app.db'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_healthz_of_an_empty_database_is_behind(app_factory, tmp_path):
    response = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}").test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "behind" and response.get_json()["revision"] is None


# Request ids and logs -----------------------------------------------------------------------

def test_every_response_has_a_request_id(client):
    first, second = client.get("/"), client.get("/tidak-ada")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize("incoming, kept", [
    ("lb-7f3a.2_x", True), ("a" * 64, True),
    ("a" * 65, False), ("spasi di dalam", False), ("x;DROP", False), ("", False),
])
def test_an_incoming_request_id_is_kept_only_when_sane(client, incoming, kept):
    returned = client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert (returned == incoming) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", returned)


def test_one_log_record_per_request_with_its_id_and_user(app, make_user, caplog):
    api = make_user("siti", "redaktur")
    with app.app_context():
        user_id = users.get_by_username("siti").id
    caplog.set_level(logging.INFO, logger="app.requests")
    response = api.client.get("/api/v1/processes",
                              headers={"Authorization": f"Bearer {api.token}", "X-Request-ID": "uji-123"})
    records = [r for r in caplog.records if r.name == "app.requests" and r.request_id == "uji-123"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/processes", 200)
    assert record.user_id == user_id and isinstance(record.duration_ms, float)
    assert "GET /api/v1/processes 200" in record.getMessage()
    assert response.headers["X-Request-ID"] == "uji-123"


def test_text_log_lines_name_the_request(app):
    errors = io.StringIO()
    app.test_client().get("/tidak-ada", headers={"X-Request-ID": "teks-1"}, errors_stream=errors)
    line, = [x for x in errors.getvalue().splitlines() if "app.requests" in x]
    assert "INFO app.requests [teks-1] GET /tidak-ada 404" in line and "user=-" in line


def test_json_log_lines_parse(app_factory):
    app = app_factory(LOG_FORMAT="json")
    client = sign_in(app)
    errors = io.StringIO()
    client.get("/akun/kata-sandi", headers={"X-Request-ID": "json-1"}, errors_stream=errors,
               base_url="https://localhost")
    entries = [json.loads(line) for line in errors.getvalue().splitlines()]
    entry, = [e for e in entries if e["logger"] == "app.requests"]
    assert entry["request_id"] == "json-1" and entry["level"] == "INFO"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/akun/kata-sandi", 200)
    assert isinstance(entry["user_id"], int) and entry["duration_ms"] >= 0 and entry["time"].endswith("+00:00")


# Session and token expiry --------------------------------------------------------------------

def _session_cookie_aged(app, data: dict, seconds: int) -> str:
    """The app's signed session cookie for data, as if signed that many seconds ago."""
    interface = app.session_interface

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    return URLSafeTimedSerializer(
        app.secret_key, salt=interface.salt, serializer=interface.serializer, signer=Then,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},
    ).dumps(data)


def test_a_session_ends_session_hours_after_its_last_request(app_factory):
    app = app_factory(SESSION_HOURS=1)
    client = sign_in(app)
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie.expires is not None  # permanent: it outlives the browser, not the lifetime
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert data["_user_id"]

    def page_with_cookie_aged(seconds):
        client.set_cookie("session", _session_cookie_aged(app, data, seconds), domain="localhost")
        return client.get("/akun/kata-sandi", base_url="https://localhost")

    assert page_with_cookie_aged(30 * 60).status_code == 200
    refused = page_with_cookie_aged(90 * 60)
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/masuk")


def test_an_expired_api_token_answers_401(app_factory):
    app = app_factory(TOKEN_TTL_HOURS=-1)  # tokens issued already expired
    with app.app_context():
        users.create_user("siti", ["redaktur"], PASSWORD)
        db.session.commit()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "siti", "password": PASSWORD}).get_json()["token"]
    response = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


# make serve ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group(pgid: int) -> list[str]:
    """Command lines of the live processes in a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(cmdline)
    return found


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return predicate()


def _health(port: int):
    try:
        with urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "serve-probe"}), timeout=5) as r:
            return r.status, json.loads(r.read()), r.headers["X-Request-ID"]
    except OSError:
        return None


@pytest.mark.slow
def test_make_serve_runs_gunicorn_and_the_worker_and_stops_both(tmp_path):
    """On its own SQLite database, also in the PostgreSQL run: it migrates the database itself."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings.ENV_PREFIX)}
    env.update(APP_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", APP_SECRET_KEY="rahasia-serve",
               APP_INSTANCE_PATH=str(tmp_path / "instance"))
    out, err = open(tmp_path / "out", "w+"), open(tmp_path / "err", "w+")
    make = subprocess.Popen(["make", "-s", "-o", "install", "serve", f"PORT={port}", "WORKERS=2"],
                            cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
    try:
        health = _wait(lambda: _health(port) or make.poll() is not None, 180)
        assert isinstance(health, tuple), (tmp_path / "err").read_text()
        assert health == (200, {"status": "ok", "database": "ok", "migrations": "current", "revision": HEAD},
                          "serve-probe")
        pythons = [p for p in _group(make.pid) if "python" in p.split()[0]]  # not make, not sh
        assert sum(p.endswith(" worker ") for p in pythons) == 1, pythons
        assert sum("bin/gunicorn" in p for p in pythons) == 3, pythons  # the master and WORKERS
        make.send_signal(signal.SIGTERM)  # to make alone, as a service manager would
        make.wait(timeout=120)
        assert _wait(lambda: not _group(make.pid), 120), _group(make.pid)
    finally:
        if _group(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait()
    access = (tmp_path / "out").read_text()
    assert re.search(r'"GET /healthz HTTP/1.1" 200 .* serve-probe$', access, re.M), access
    assert "[serve-probe] GET /healthz 200" in (tmp_path / "err").read_text()
