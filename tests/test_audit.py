"""The audit trail: every action appended with who, role, when, where and the values before
and after; chained by hashes that `flask --app app audit verify` checks; never changed by the
application; a screen for Admin and Pengawas with filters and a CSV export."""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from support.catalog import upload_dataset
from support.database import TEST_DATABASE_URL
from support.people import PASSWORD, sign_in
from support.sop import complete, ready_task, start

from app.core import audit, users
from app.core.models import AuditEvent, AuditHead, User
from app.core.workcal import WIB, format_wib_short
from app.extensions import db
from app.workflow import tasks

ROOT = Path(__file__).resolve().parent.parent


def events(app):
    with app.app_context():
        return [
            {c: getattr(e, c) for c in ("id", "at", "user_id", "role", "address", "action", "instance_id",
                                         "task_id", "detail", "before", "after", "prev_hash", "hash")}
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


@pytest.fixture
def flow(app, make_user):
    """A publication started, its first step claimed, released, drafted, completed, through the API."""
    admin = make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    dataset = upload_dataset(admin)
    instance = start(redaktur)
    task = ready_task(redaktur, instance["id"], "tentukan_data")
    assert redaktur.post(f"/tasks/{task['id']}/release").status_code == 200
    assert redaktur.post(f"/tasks/{task['id']}/claim").status_code == 200
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "redaktur1")).one()
        tasks.save_draft(task["id"], {"dataset_id": dataset["id"]}, user)
        db.session.commit()
    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    return {"instance": instance, "task": task, "dataset": dataset, "admin": admin, "redaktur": redaktur}


# Appending ---------------------------------------------------------------------------------

def test_every_event_has_who_role_when_address_and_is_chained(app, flow):
    rows = events(app)
    assert [r["action"] for r in rows][-5:] == ["instance.start", "task.release", "task.claim", "task.draft",
                                                "task.complete"]
    start_event = next(r for r in rows if r["action"] == "instance.start")
    assert start_event["role"] == "redaktur" and start_event["address"] == "127.0.0.1"
    assert start_event["instance_id"] == flow["instance"]["id"]
    # The first event starts the chain; each one links to the one before; the head to the last.
    assert rows[0]["prev_hash"] is None
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
        assert after["at"] >= before["at"]
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row["hash"])
        assert audit.compute_hash(**{k: v for k, v in row.items() if k not in ("id", "hash")}) == row["hash"]
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        assert (head.last_event_id, head.last_hash) == (rows[-1]["id"], rows[-1]["hash"])


def test_role_lists_every_role_sorted(app, make_user):
    make_user("serba", "redaktur", "admin", "pengawas")
    token = next(r for r in events(app) if r["action"] == "token.issue")
    assert token["role"] == "admin,pengawas,redaktur"


def test_outside_a_request_there_is_no_address(app):
    with app.app_context():
        users.create_user("cli_user", ["desain"], PASSWORD)
        db.session.commit()
    row = [r for r in events(app) if r["action"] == "user.create"][-1]
    assert row["address"] is None and row["user_id"] is None and row["role"] is None


def test_values_before_and_after(app, flow):
    rows = {r["action"]: r for r in events(app)}
    assert (rows["task.release"]["before"], rows["task.release"]["after"]) == (
        {"assignee": "redaktur1"}, {"assignee": None})
    assert (rows["task.claim"]["before"], rows["task.claim"]["after"]) == (
        {"assignee": None}, {"assignee": "redaktur1"})
    assert rows["task.draft"]["after"] == {"dataset_id": flow["dataset"]["id"]}
    assert rows["task.complete"]["after"] == {"dataset_id": flow["dataset"]["id"]}
    assert rows["task.complete"]["task_id"] == flow["task"]["id"]
    with app.app_context():
        admin = users.get_by_username("admin1")
        target = users.get_by_username("redaktur1")
        users.set_active(target, False, admin)
        users.set_active(target, True, admin)
        db.session.commit()
    rows = {r["action"]: r for r in events(app)}
    assert (rows["user.disable"]["before"], rows["user.disable"]["after"]) == ({"active": True}, {"active": False})
    assert (rows["user.enable"]["before"], rows["user.enable"]["after"]) == ({"active": False}, {"active": True})
    assert rows["user.enable"]["role"] == "admin"


def test_the_instance_page_shows_its_own_trail(app, flow, make_user):
    client = sign_in(app, "redaktur1")
    page = client.get(f"/proses/{flow['instance']['id']}").get_data(as_text=True)
    trail = page[page.index("trail-title"):]
    assert "memulai proses" in trail and "mengambil tugas" in trail and "menyelesaikan langkah" in trail
    assert "membuat pengguna" not in trail  # events of other things are not this instance's
    body = flow["redaktur"].get(f"/instances/{flow['instance']['id']}").get_json()
    assert [e["action"] for e in body["history"]] == [
        "instance.start", "task.release", "task.claim", "task.draft", "task.complete"]


def test_json_values_hash_the_same_after_the_database_gives_them_back(app):
    """Key order, ints and floats, unicode, tuples, sets and dates survive the round trip."""
    tricky = {
        "zeta": 1, "alpha": 1.0, "ganjil": 0.1, "besar": 2 ** 62, "negatif": -3.5e-12, "benar": True,
        "kosong": None, "teks": "Ngawi–Magetan “kutip” é ✓ 😀 \\ \" \n baris", "daftar": (3, "dua", 1.5),
        "himpunan": {"b", "a"}, "kapan": datetime(2026, 3, 2, 3, 4, 5, 678, tzinfo=UTC),
        "bersarang": {"y": [{"b": 2, "a": 1}], "x": {}}, 7: "kunci angka", "nan": float("nan"),
    }
    with app.app_context():
        made = audit.record("uji.json", None, before={"teks": "sebelum ☕"}, after=tricky, **{"isi": tricky})
        db.session.commit()
        event_id, stored_hash = made.id, made.hash
    with app.app_context():  # a fresh session: everything read from the database
        row = db.session.get(AuditEvent, event_id)
        assert audit.hash_of(row) == stored_hash
        assert row.after["himpunan"] == ["a", "b"] and row.after["daftar"] == [3, "dua", 1.5]
        assert row.after["alpha"] == 1.0 and isinstance(row.after["alpha"], float)
        assert row.after["besar"] == 2 ** 62 and row.after["7"] == "kunci angka"
        assert row.after["kapan"] == "2026-03-02T03:04:05.000678+00:00"
        assert row.detail["isi"]["teks"] == tricky["teks"]
    code, output = verify(app)
    assert code == 0, output


def test_the_moment_keeps_its_microseconds(app, monkeypatch):
    moment = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
    monkeypatch.setattr(audit, "utcnow", lambda: moment)
    with app.app_context():
        event_id = audit.record("uji.waktu", None).id
        db.session.commit()
    with app.app_context():
        assert db.session.get(AuditEvent, event_id).at == moment
    assert verify(app)[0] == 0


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks are PostgreSQL's; SQLite serialises writers")
def test_concurrent_appends_chain_one_after_the_other(app):
    """A second transaction waits on the head row instead of forking the chain."""
    recorded, go, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with app.app_context():
                audit.record("uji.pertama", None)
                recorded.set()
                go.wait(10)
                db.session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            recorded.set()

    def second():
        try:
            with app.app_context():
                audit.record("uji.kedua", None)
                db.session.commit()
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    a = threading.Thread(target=first)
    a.start()
    assert recorded.wait(10)
    b = threading.Thread(target=second)
    b.start()
    with app.app_context():  # wait until the second one is blocked on the head row's lock
        waited = 0
        while not db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%audit_head%'")):
            db.session.rollback()
            waited += 1
            assert waited < 10000 and b.is_alive()
        db.session.rollback()
    go.set()
    a.join(10)
    b.join(10)
    assert not errors
    rows = events(app)
    assert [r["action"] for r in rows][-2:] == ["uji.pertama", "uji.kedua"]
    assert rows[-1]["prev_hash"] == rows[-2]["hash"]
    assert verify(app)[0] == 0


# Verifying ---------------------------------------------------------------------------------

def test_verify_passes_on_an_untouched_trail(app, flow):
    code, output = verify(app)
    assert code == 0
    assert output.strip() == f"OK: {len(events(app))} peristiwa, rantai utuh"


def test_verify_passes_on_an_empty_trail(app):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.execute(text("UPDATE audit_head SET last_event_id = NULL, last_hash = NULL"))
        db.session.commit()
    assert verify(app) == (0, "OK: 0 peristiwa, rantai utuh\n")


def _raw(app, sql, **params):
    """A change made around the application, as someone with database access could."""
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def _json(app, name):
    """A bound JSON text as the column's type wants it."""
    with app.app_context():
        return f"CAST(:{name} AS json)" if db.engine.dialect.name == "postgresql" else f":{name}"


def test_an_edited_row_fails_and_is_named(app, flow):
    rows = events(app)
    target = next(r for r in rows if r["action"] == "task.claim")
    _raw(app, f"UPDATE audit_event SET detail = {_json(app, 'd')} WHERE id = :id",
         d=json.dumps({**target["detail"], "step": "publikasi"}), id=target["id"])
    code, output = verify(app)
    assert code == 1
    assert f"peristiwa #{target['id']} (task.claim)" in output and "isi berubah" in output
    assert "OK" not in output


@pytest.mark.parametrize("column, value", [
    ("user_id", None), ("role", "admin"), ("address", "10.0.0.9"), ("action", "task.release"),
    ("after", json.dumps({"assignee": "orang_lain"})), ("at", datetime(2020, 1, 1)),
])
def test_any_edited_column_fails(app, flow, column, value):
    target = next(r for r in events(app) if r["action"] == "task.claim")
    param = _json(app, "v") if column == "after" else ":v"
    _raw(app, f"UPDATE audit_event SET {column} = {param} WHERE id = :id", v=value, id=target["id"])
    code, output = verify(app)
    assert code == 1 and f"peristiwa #{target['id']}" in output and "isi berubah" in output


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(app, flow):
    rows = events(app)
    index = next(i for i, r in enumerate(rows) if r["action"] == "task.claim")
    forged = {**rows[index], "after": {"assignee": "orang_lain"}}
    new_hash = audit.compute_hash(**{k: v for k, v in forged.items() if k not in ("id", "hash")})
    _raw(app, f"UPDATE audit_event SET after = {_json(app, 'a')}, hash = :h WHERE id = :id",
         a=json.dumps(forged["after"]), h=new_hash, id=forged["id"])
    code, output = verify(app)
    following = rows[index + 1]
    assert code == 1
    assert f"peristiwa #{following['id']} ({following['action']})" in output
    assert "sambungan rantai putus" in output and f"#{forged['id']}" in output


def test_a_deleted_middle_row_fails_naming_the_gap(app, flow):
    rows = events(app)
    index = next(i for i, r in enumerate(rows) if r["action"] == "task.release")
    _raw(app, "DELETE FROM audit_event WHERE id = :id", id=rows[index]["id"])
    code, output = verify(app)
    assert code == 1
    assert f"peristiwa #{rows[index + 1]['id']} ({rows[index + 1]['action']})" in output
    assert "dihapus" in output and f"hilang: #{rows[index]['id']}–#{rows[index]['id']}" in output


def test_a_deleted_first_row_fails(app, flow):
    rows = events(app)
    _raw(app, "DELETE FROM audit_event WHERE id = :id", id=rows[0]["id"])
    code, output = verify(app)
    assert code == 1 and f"peristiwa #{rows[1]['id']}" in output and "dihapus" in output


def test_a_deleted_last_row_fails_on_the_head(app, flow):
    rows = events(app)
    _raw(app, "DELETE FROM audit_event WHERE id = :id", id=rows[-1]["id"])
    code, output = verify(app)
    assert code == 1
    assert "kepala rantai tidak cocok" in output and f"#{rows[-1]['id']}" in output and "dihapus" in output


def test_a_moved_head_fails(app, flow):
    rows = events(app)
    _raw(app, "UPDATE audit_head SET last_event_id = :id, last_hash = :h WHERE id = 1",
         id=rows[-2]["id"], h=rows[-2]["hash"])
    code, output = verify(app)
    assert code == 1 and "kepala rantai tidak cocok" in output and f"#{rows[-1]['id']}" in output


def test_events_from_before_the_chain_are_counted_apart(app):
    """An upgraded database keeps its old events without hashes; the chain starts after them."""
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.execute(text("UPDATE audit_head SET last_event_id = NULL, last_hash = NULL"))
        db.session.execute(text("INSERT INTO audit_event (at, action, detail) VALUES (:at, 'lama', '{}')"),
                           {"at": datetime(2025, 1, 1)})
        db.session.commit()
        audit.record("baru", None)
        db.session.commit()
    code, output = verify(app)
    assert (code, output.strip()) == (0, "OK: 1 peristiwa, rantai utuh (1 peristiwa lama sebelum rantai dimulai)")
    # ... but a chained event cannot be made to look old.
    new_id = events(app)[-1]["id"]
    _raw(app, "UPDATE audit_event SET hash = NULL WHERE id = :id", id=new_id)
    code, output = verify(app)
    assert code == 1 and f"peristiwa #{new_id} (baru)" in output


# Never updated or deleted through the application ------------------------------------------

def test_the_orm_refuses_to_change_or_remove_an_event(app, flow):
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        event.detail = {"diubah": True}
        with pytest.raises(audit.AppendOnly):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        db.session.delete(event)
        with pytest.raises(audit.AppendOnly):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(audit.AppendOnly):
            db.session.execute(update(AuditEvent).values(action="x"))
        with pytest.raises(audit.AppendOnly):
            db.session.execute(delete(AuditEvent).where(AuditEvent.id > 0))
        db.session.rollback()
    assert verify(app)[0] == 0


def test_no_application_code_updates_or_deletes_audit_events():
    patterns = [
        re.compile(r"\b(update|delete)\s*\(\s*AuditEvent\b"),
        re.compile(r"AuditEvent\.__table__\.(update|delete)\b"),
        re.compile(r"\b(UPDATE|DELETE\s+FROM)\s+\"?audit_event\b", re.I),
    ]
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for p in patterns for m in p.finditer(source)]
    assert offenders == []
    # The patterns do find what they look for.
    assert patterns[0].search("db.session.execute(update(AuditEvent).values(x=1))")
    assert patterns[2].search("DELETE FROM audit_event WHERE id = 1")


# The screen and the CSV --------------------------------------------------------------------

def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def trail(app, flow, make_user):
    make_user("pengawas1", "pengawas")
    make_user("desain1", "desain")
    return flow


def test_only_admin_and_pengawas_see_the_trail(app, client, trail):
    assert client.get("/jejak-audit").status_code == 302
    assert client.get("/jejak-audit.csv").status_code == 302
    for name in ("admin1", "pengawas1"):
        browser = sign_in(app, name)
        page = browser.get("/jejak-audit")
        assert page.status_code == 200 and "Jejak Audit" in html(page)
        assert 'href="/jejak-audit"' in html(page)  # the navigation
        assert browser.get("/jejak-audit.csv").status_code == 200
    for name in ("redaktur1", "desain1"):
        browser = sign_in(app, name)
        assert browser.get("/jejak-audit").status_code == 403
        assert browser.get("/jejak-audit.csv").status_code == 403
        assert 'href="/jejak-audit"' not in html(browser.get("/tugas"))


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="text-muted">(\d+)</td>', page)]


def test_the_screen_shows_who_role_when_address_action_links_and_values(app, trail):
    rows = events(app)
    page = html(sign_in(app, "pengawas1").get("/jejak-audit"))
    assert _ids(page) == sorted((r["id"] for r in rows), reverse=True)[:20]  # newest first
    claim = next(r for r in rows if r["action"] == "task.claim")
    row = re.search(rf'<td class="text-muted">{claim["id"]}</td>(.*?)</tr>', page, re.S)[1]
    assert "redaktur1" in row and "Redaktur" in row and "127.0.0.1" in row and "mengambil tugas" in row
    assert f'href="/proses/{trail["instance"]["id"]}"' in row and f'href="/tugas/{trail["task"]["id"]}"' in row
    assert "&#34;assignee&#34;: null" in row and "&#34;assignee&#34;: &#34;redaktur1&#34;" in row
    assert format_wib_short(claim["at"]) in row


def _seed_times(app, monkeypatch, moments):
    """Events at chosen moments (UTC), by user redaktur1, one per moment."""
    made = []
    with app.app_context():
        user = users.get_by_username("redaktur1")
        for n, moment in enumerate(moments):
            monkeypatch.setattr(audit, "utcnow", lambda moment=moment: moment)
            made.append(audit.record("uji.waktu", user, nomor=n).id)
        db.session.commit()
    monkeypatch.undo()
    return made


def test_filters_by_wib_dates_user_action_instance_and_text(app, trail, monkeypatch):
    # 2026-03-02 23:30 UTC is 3 March 06:30 WIB; 2026-03-03 16:59 UTC is 3 March 23:59 WIB.
    early, late, next_day = _seed_times(app, monkeypatch, [
        datetime(2026, 3, 2, 16, 59, tzinfo=UTC),   # 2 March 23:59 WIB
        datetime(2026, 3, 2, 23, 30, tzinfo=UTC),   # 3 March 06:30 WIB
        datetime(2026, 3, 3, 17, 0, tzinfo=UTC),    # 4 March 00:00 WIB
    ])
    browser = sign_in(app, "admin1")
    assert _ids(html(browser.get("/jejak-audit?dari=2026-03-03&sampai=2026-03-03"))) == [late]
    assert _ids(html(browser.get("/jejak-audit?dari=2026-03-02&sampai=2026-03-03"))) == [late, early]
    assert _ids(html(browser.get("/jejak-audit?aksi=uji.waktu&dari=2026-03-04"))) == [next_day]
    with app.app_context():
        admin_id = users.get_by_username("admin1").id
    rows = events(app)
    by_admin = sorted((r["id"] for r in rows if r["user_id"] == admin_id), reverse=True)
    assert by_admin and _ids(html(browser.get(f"/jejak-audit?pengguna={admin_id}"))) == by_admin
    of_instance = sorted((r["id"] for r in rows if r["instance_id"] == trail["instance"]["id"]), reverse=True)
    assert len(of_instance) >= 5
    assert _ids(html(browser.get(f"/jejak-audit?instans={trail['instance']['id']}"))) == of_instance
    claim = next(r["id"] for r in rows if r["action"] == "task.claim")
    assert _ids(html(browser.get("/jejak-audit?aksi=task.claim"))) == [claim]
    # Free text: in the detail (the dataset's title), a name, an address.
    dataset_events = [r["id"] for r in rows if "Penduduk per Kecamatan" in json.dumps(r["detail"])]
    assert _ids(html(browser.get("/jejak-audit?q=penduduk+per+kecamatan"))) == sorted(dataset_events, reverse=True)
    assert _ids(html(browser.get("/jejak-audit?q=tidak-ada-di-mana-pun"))) == []
    assert "Tidak ada peristiwa yang cocok" in html(browser.get("/jejak-audit?q=tidak-ada-di-mana-pun"))


def test_free_text_finds_non_ascii_text(app, trail):
    with app.app_context():
        audit.record("uji.teks", None, catatan="Kecamatan Karangrejo – Café ☕")
        db.session.commit()
    ids = _ids(html(sign_in(app, "admin1").get("/jejak-audit?q=café ☕")))
    assert ids == [events(app)[-1]["id"]]


def test_bad_filters_are_named_beside_their_fields_and_keep_what_was_typed(app, trail):
    browser = sign_in(app, "admin1")
    response = browser.get("/jejak-audit?dari=2026-13-40&instans=abc&q=klaim")
    page = html(response)
    assert response.status_code == 422
    assert 'id="dari-error"' in page and 'value="2026-13-40"' in page
    assert 'id="instans-error"' in page and 'value="abc"' in page and 'value="klaim"' in page
    response = browser.get("/jejak-audit?dari=2026-03-05&sampai=2026-03-01")
    assert response.status_code == 422 and 'id="sampai-error"' in html(response)
    assert browser.get("/jejak-audit.csv?instans=abc").status_code == 422
    for odd in ("dari=0001-01-01", "sampai=9999-12-31", "instans=99999999999999999999", "instans=%C2%B2",
                "pengguna=-1"):
        response = browser.get(f"/jejak-audit?{odd}")
        assert response.status_code == 422 and "-error" in html(response), odd


def test_the_trail_is_paged(app_factory, flow, make_user):
    app = app_factory(PER_PAGE=3)
    rows = sorted((r["id"] for r in events(app)), reverse=True)
    browser = sign_in(app, "admin1")
    first, second = html(browser.get("/jejak-audit")), html(browser.get("/jejak-audit?page=2"))
    assert _ids(first) == rows[:3] and _ids(second) == rows[3:6]
    assert "page=2" in first and 'rel="next"' in first


def _csv(response):
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_csv_has_the_filtered_rows(app, trail):
    browser = sign_in(app, "pengawas1")
    response = browser.get(f"/jejak-audit.csv?instans={trail['instance']['id']}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    table = _csv(response)
    assert table[0] == ["id", "waktu_wib", "pengguna", "nama", "peran", "alamat", "aksi", "instans", "tugas",
                        "rincian", "sebelum", "sesudah", "hash"]
    expected = [r for r in reversed(events(app)) if r["instance_id"] == trail["instance"]["id"]]
    assert [int(row[0]) for row in table[1:]] == [r["id"] for r in expected]
    assert [row[6] for row in table[1:]] == [r["action"] for r in expected]
    claim_row = next(row for row in table[1:] if row[6] == "task.claim")
    claim = next(r for r in expected if r["action"] == "task.claim")
    assert claim_row[2:6] == ["redaktur1", "redaktur1", "redaktur", "127.0.0.1"]
    assert claim_row[7:9] == [str(trail["instance"]["id"]), trail["task"]["id"]]
    assert json.loads(claim_row[9]) == claim["detail"]
    assert (json.loads(claim_row[10]), json.loads(claim_row[11])) == ({"assignee": None}, {"assignee": "redaktur1"})
    assert claim_row[12] == claim["hash"]
    assert claim_row[1] == claim["at"].astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


def test_the_csv_quotes_properly_and_guards_against_formulas(app, trail):
    with app.app_context():
        users.create_user("rumus", ["redaktur"], PASSWORD, full_name="=HYPERLINK(\"http://x\",\"klik\")")
        user = users.get_by_username("rumus")
        tricky = {"catatan": 'baris satu, "kutip"\nbaris dua; ☕', "angka": -1}
        audit.record("uji.csv", user, **tricky)
        for name, start_char in (("plus", "+"), ("minus", "-"), ("at", "@")):
            users.create_user(name, ["desain"], PASSWORD, full_name=f"{start_char}SUM(A1)")
            audit.record("uji.csv", users.get_by_username(name))
        db.session.commit()
    table = _csv(sign_in(app, "admin1").get("/jejak-audit.csv?aksi=uji.csv"))
    assert len(table) == 5 and all(len(row) == 13 for row in table)
    names = [row[3] for row in table[1:]]
    assert names == ["'@SUM(A1)", "'-SUM(A1)", "'+SUM(A1)", "'=HYPERLINK(\"http://x\",\"klik\")"]
    assert json.loads(table[4][9]) == tricky


def test_the_csv_of_a_large_trail_is_complete(app_factory, flow):
    app = app_factory()
    with app.app_context():
        for n in range(1203):
            audit.record("uji.banyak", None, nomor=n)
        db.session.commit()
    table = _csv(sign_in(app, "admin1").get("/jejak-audit.csv?aksi=uji.banyak"))
    assert [json.loads(row[9])["nomor"] for row in table[1:]] == list(range(1202, -1, -1))
    assert verify(app) == (0, f"OK: {len(events(app))} peristiwa, rantai utuh\n")
