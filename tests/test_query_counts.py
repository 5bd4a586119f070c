"""The statements a request sends: few, and as many with a long history or a full inbox as with
none. A loop of queries over rows (N+1) shows here as a count that grows with the rows."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from support.catalog import upload_dataset
from support.people import sign_in
from support.sop import complete, ready_task, start, upload_design

from app.extensions import db

# What one completion may send at most: lock the instance and read its tasks, the version,
# two updates, three for the audit trail, the calendar, the new task and its notice, the
# trail for the answer, and the transaction's own statements.
COMPLETION_BUDGET = 20
INBOX_BUDGET = 12


@contextmanager
def statements(app):
    """Every SQL statement sent to the app's database while the block runs, with its parameters."""
    sent: list[tuple[str, tuple]] = []
    with app.app_context():
        engine = db.engine

    def seen(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.fixture
def team(make_user):
    admin = make_user("admin1", "admin")
    return {"admin": admin, "redaktur": make_user("redaktur1", "redaktur"),
            "desain": make_user("desain1", "desain"), "desain2": make_user("desain2", "desain"),
            "dataset": upload_dataset(admin)}


def at_caption(team, rounds: int, title="Infografis penduduk Magetan 2025"):
    """An instance waiting at caption after some rounds of revision."""
    redaktur, desain = team["redaktur"], team["desain"]
    instance = start(redaktur, title)["id"]
    complete(redaktur, instance, "tentukan_data", {"dataset_id": team["dataset"]["id"], "tujuan": "Hari Statistik"})
    complete(desain, instance, "ambil_data", {"data_terpilih": "Jumlah penduduk per kecamatan, 2025"})
    for _ in range(rounds):
        complete(desain, instance, "desain", {"desain": upload_design(desain)})
        complete(desain, instance, "caption", {"caption": "Penduduk Magetan 2025."})
        complete(redaktur, instance, "periksa", {"keputusan": "revisi", "catatan_revisi": "Cantumkan sumber."})
    complete(desain, instance, "desain", {"desain": upload_design(desain)})
    return instance


def counted_completion(app, team, instance):
    task = ready_task(team["desain"], instance, "caption")
    with statements(app) as sent:
        response = team["desain"].post(f"/tasks/{task['id']}/complete",
                                       json={"data": {"caption": "Penduduk Magetan 2025."}})
    assert response.status_code == 200, response.get_json()
    return sent


def test_a_completion_sends_as_many_statements_after_many_rounds_as_after_one(app, team):
    after_one = counted_completion(app, team, at_caption(team, 1))
    after_five = counted_completion(app, team, at_caption(team, 5))
    assert len(after_five) == len(after_one), (after_one, after_five)
    assert len(after_one) <= COMPLETION_BUDGET, after_one


def test_the_instance_answer_does_not_grow_in_statements_with_its_history(app, team):
    short, long = at_caption(team, 1), at_caption(team, 5)
    counts = []
    for instance in (short, long):
        with statements(app) as sent:
            response = team["desain"].get(f"/instances/{instance}")
        assert response.status_code == 200
        counts.append(len(sent))
    assert counts[0] == counts[1]
    assert len(response.get_json()["history"]) > 15  # the long one really carries its rounds


def fill_inbox(team, instances: int):
    """Instances waiting at ambil_data for Tim Desain; every third one claimed by desain2 and
    every third by desain1, so that the listed tasks have different holders."""
    redaktur = team["redaktur"]
    for n in range(instances):
        instance = start(redaktur, f"Publikasi {n}")["id"]
        complete(redaktur, instance, "tentukan_data", {"dataset_id": team["dataset"]["id"], "tujuan": "Uji"})
        holder = (team["desain2"], team["desain"], None)[n % 3]
        if holder is not None:
            task = ready_task(holder, instance, "ambil_data")
            assert holder.post(f"/tasks/{task['id']}/claim").status_code == 200


@pytest.mark.parametrize("path, username", [("/tugas?scope=lane", "desain1"), ("/tugas?scope=mine", "desain1"),
                                            ("/proses", "redaktur1")])
def test_the_screens_of_the_inbox_send_as_many_statements_for_three_rows_as_for_fifteen(app, team, path, username):
    page = sign_in(app, username)
    counts = []
    for rows in (3, 15):
        fill_inbox(team, rows - (counts and 3 or 0))
        page.get(path)  # the same warm caches for both counts
        with statements(app) as sent:
            response = page.get(path)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("Publikasi ") >= (1 if "mine" in path else rows)
        counts.append(len(sent))
    assert counts[0] == counts[1], counts
    assert counts[1] <= INBOX_BUDGET


def test_the_inbox_api_sends_as_many_statements_for_three_tasks_as_for_fifteen(app, team):
    counts = []
    for rows in (3, 15):
        fill_inbox(team, rows - (counts and 3 or 0))
        with statements(app) as sent:
            response = team["desain"].get("/tasks?scope=lane&per_page=50")
        assert response.get_json()["total"] == rows
        counts.append(len(sent))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6


@pytest.mark.parametrize("path, username, table", [("/", None, "publication"), ("/proses", "redaktur1", "instance")])
def test_the_newest_first_lists_are_read_in_index_order(app, team, database_url, path, username, table):
    """The portal and the instance list read a page of the newest rows from an index; they
    never sort the whole table on a request (SQLite's query plan says so)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan is read from SQLite; PostgreSQL plans by its statistics")
    fill_inbox(team, 2)
    client = sign_in(app, username) if username else app.test_client()
    with statements(app) as sent:
        assert client.get(path).status_code == 200
    pages = [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s
             and "LIMIT" in s and "count(" not in s]
    assert pages, sent
    with app.app_context():
        connection = db.session.connection().connection.driver_connection
        for statement, parameters in pages:
            plan = " / ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
            assert re.search(rf"SCAN {table}(?! USING)", plan) is None, plan  # a whole-table scan
