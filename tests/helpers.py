"""Steps of the SOP driven through the API, shared by the tests."""
from __future__ import annotations

from contextlib import contextmanager

from conftest import SAMPLE_CSV, image_bytes

PROCESS = "penyebarluasan_data"


def upload_dataset(api, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil", **fields):
    """A dataset ready for publication: uploaded, handed in and checked (the caller must be an
    admin or the walidata)."""
    response = api.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title=title, opd=opd,
                          **{"period": "2025", **fields})
    assert response.status_code == 201, response.get_json()
    dataset_id = response.get_json()["id"]
    for step in ("submit", "approve"):
        response = api.post(f"/datasets/{dataset_id}/{step}")
        assert response.status_code == 200, response.get_json()
    return response.get_json()


def upload_design(api, color=(200, 30, 30)):
    response = api.upload("/files", image_bytes(color=color), "desain.png")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def start(api, title="Infografis penduduk Magetan 2025"):
    response = api.post("/instances", json={"process": PROCESS, "title": title})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ready_task(api, instance_id, bpmn_id):
    """The ready task of an instance at a step, as the caller's inbox lists it."""
    tasks = api.get("/tasks?scope=mine&per_page=100").get_json()["items"]
    found = [t for t in tasks if t["instance_id"] == instance_id and t["bpmn_id"] == bpmn_id]
    assert len(found) == 1, (bpmn_id, tasks)
    return found[0]


def complete(api, instance_id, bpmn_id, data):
    task = ready_task(api, instance_id, bpmn_id)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def appoint(app, username, *, valid_from=None, valid_until=None, number="800/123/403.113/2026"):
    """Give an operator a signed appointment letter (by default in force for a year from today)."""
    from datetime import timedelta

    from app.catalog import operators
    from app.catalog.models import OperatorLetter
    from app.core import files, users
    from app.extensions import db

    with app.app_context():
        operator = users.get_by_username(username)
        today = operators.today()
        stored = files.store(PDF, files.PDF, "surat.pdf", None)
        letter = OperatorLetter(user_id=operator.id, opd_code=operator.opd_code, number=number,
                                signed_on=valid_from or today, valid_from=valid_from or today,
                                valid_until=valid_until or today + timedelta(days=365), file_id=stored.id)
        db.session.add(letter)
        db.session.commit()
        return letter.id


@contextmanager
def served(app, name="live-server"):
    """The app on a free port of 127.0.0.1, in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_scratch_database(prefix: str) -> str:
    """A new empty database on the TEST_DATABASE_URL server (never the suite's own); its URL."""
    import secrets

    from conftest import TEST_DATABASE_URL
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{secrets.token_hex(4)}"
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    from conftest import TEST_DATABASE_URL
    from sqlalchemy import create_engine, make_url, text

    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    server.dispose()
