"""Complaints through the API: the public reports a problem, the complaint runs the second
process in the right lanes, the answer reaches the public status, and a correction replaces
the publication while the old version stays in its history."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from support.people import Api
from support.sop import Team, complete, ready_task

from app.core.models import AuditEvent
from app.extensions import db
from app.workflow.models import Instance

PROCESS = "penanganan_pengaduan"


@pytest.fixture
def app(app_factory):
    return app_factory(COMPLAINT_MIN_SECONDS=0)


@pytest.fixture
def team(make_user):
    team = Team(make_user)
    team.petugas = make_user("petugas1", "petugas_pengaduan")
    return team


def publish(client, team, title, caption):
    """A published item, as GET /publications lists it."""
    team.publish(title, caption)
    return Api(client).get("/publications").get_json()["items"][0]


def report(client, **fields):
    public = Api(client)
    token = public.get("/complaints/form-token").get_json()["form_token"]
    body = {"nama": "Sri Wahyuni", "kontak": "sri@example.id",
            "pesan": "Angka penduduk Kecamatan Poncol tertukar dengan Parang.", "form_token": token, **fields}
    return public.post("/complaints", json=body)


def test_a_complaint_reaches_the_petugas_lane_and_its_answer_goes_public(client, team):
    publication = publish(client, team, "Penduduk 2025", "Penduduk per kecamatan.")
    response = report(client, publication_id=publication["id"])
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()["ticket"]
    assert response.get_json()["status"] == "diterima"
    assert response.get_json()["url"].endswith(f"/pengaduan/{ticket}")

    # Only the Petugas Pengaduan lane sees it; the designer does not.
    task = ready_task(team.petugas, next(t["instance_id"] for t in team.petugas.get("/tasks?scope=mine")
                                          .get_json()["items"]), "verifikasi")
    assert task["lane"] == "Petugas Pengaduan"
    assert not [t for t in team.desain.get("/tasks?scope=mine").get_json()["items"]
                if t["instance_id"] == task["instance_id"]]
    assert team.desain.post(f"/tasks/{task['id']}/claim").status_code == 404  # not a run of theirs to know

    instance_id = task["instance_id"]
    complete(team.petugas, instance_id, "verifikasi",
             {"kategori": "data_salah", "keputusan": "jawab", "catatan_verifikasi": "Dicek ke Dispendukcapil."})
    assert Api(client).get(f"/complaints/{ticket}").get_json()["status"] == "diverifikasi"
    complete(team.petugas, instance_id, "jawab", {"jawaban": "Angka sudah benar menurut SIAK 2025."})
    status = Api(client).get(f"/complaints/{ticket.lower()}").get_json()
    assert status["status"] == "dijawab" and status["answer"] == "Angka sudah benar menurut SIAK 2025."
    assert "sri@example.id" not in str(status) and "Dicek ke" not in str(status)
    complete(team.petugas, instance_id, "tutup", {"hasil": "selesai"})
    status = Api(client).get(f"/complaints/{ticket}").get_json()
    assert status["closed"] is True and [s["status"] for s in status["steps"]] == [
        "diterima", "diverifikasi", "dijawab", "selesai"]
    assert team.petugas.get(f"/instances/{instance_id}").get_json()["state"] == "completed"


def test_a_correction_replaces_the_publication_and_keeps_the_old_one(app, client, team):
    old = publish(client, team, "Penduduk 2025", "Penduduk per kecamatan (angka keliru).")
    ticket = report(client, publication_id=old["id"]).get_json()["ticket"]
    redaktur = team.redaktur
    complaint_run = next(t["instance_id"] for t in team.petugas.get("/tasks?scope=mine").get_json()["items"])
    complete(team.petugas, complaint_run, "verifikasi",
             {"kategori": "data_salah", "keputusan": "koreksi", "catatan_verifikasi": "Angka Poncol tertukar."})
    koreksi = ready_task(redaktur, complaint_run, "koreksi")
    assert koreksi["lane"] == "Redaktur"
    after = complete(redaktur, complaint_run, "koreksi",
                     {"catatan_koreksi": "Angka Poncol dan Parang ditukar kembali."})

    revision_id = after["data"]["revisi_instance_id"]
    revision = redaktur.get(f"/instances/{revision_id}").get_json()
    assert revision["process"] == "penyebarluasan_data" and revision["title"] == "Koreksi: Penduduk 2025"
    # The correction runs the SOP again, starting from the old run's work.
    with app.app_context():
        assert db.session.get(Instance, revision_id).revision_of_id == old_instance_of(old["id"])
    assert ready_task(redaktur, revision_id, "tentukan_data")["lane"] == "Redaktur"
    team.run(revision_id, old["dataset"]["id"], "Penduduk per kecamatan (angka benar).")

    listed = Api(client).get("/publications").get_json()["items"]
    assert [(p["title"], p["caption"], p["corrects"]) for p in listed] == [
        ("Penduduk 2025", "Penduduk per kecamatan (angka benar).", old["id"])]
    new = listed[0]
    assert new["correction_note"] == "Angka Poncol dan Parang ditukar kembali."
    old_page = client.get(f"/publikasi/{old['id']}").get_data(as_text=True)
    assert 'data-correction="superseded"' in old_page and f'href="/publikasi/{new["id"]}"' in old_page
    new_page = client.get(f"/publikasi/{new['id']}").get_data(as_text=True)
    assert "Angka Poncol dan Parang ditukar kembali." in new_page and f'href="/publikasi/{old["id"]}"' in new_page

    complete(team.petugas, complaint_run, "jawab", {"jawaban": "Sudah dikoreksi, terima kasih."})
    status = Api(client).get(f"/complaints/{ticket}").get_json()
    assert status["status"] == "dijawab"
    assert status["corrected_publication_url"].endswith(f"/publikasi/{new['id']}")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.in_(["complaint.submit", "publication.revise"]))).all()
    assert sorted(actions) == ["complaint.submit", "publication.revise"]


def old_instance_of(publication_id):
    from app.publishing.models import Publication

    return db.session.get(Publication, publication_id).instance_id


def test_a_second_correction_reuses_the_revision_under_way(app, client, team):
    old = publish(client, team, "Sekolah 2025", "Jumlah sekolah.")
    runs = []
    for words in ("Jumlah SD salah di Kecamatan Bendo.", "Jumlah SMP salah di Kecamatan Bendo."):
        report(client, publication_id=old["id"], pesan=words)
    for task in team.petugas.get("/tasks?scope=mine").get_json()["items"]:
        complete(team.petugas, task["instance_id"], "verifikasi",
                 {"kategori": "data_salah", "keputusan": "koreksi", "catatan_verifikasi": "Benar."})
        done = complete(team.redaktur, task["instance_id"], "koreksi", {"catatan_koreksi": "Angka sekolah."})
        runs.append(done["data"]["revisi_instance_id"])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("fields, field", [
    ({"nama": " "}, "nama"),
    ({"pesan": "pendek"}, "pesan"),
    ({"kontak": ""}, "kontak"),
])
def test_bad_complaints_are_refused_with_the_field(client, team, fields, field):
    dataset = team.dataset()
    response = report(client, dataset_id=dataset["id"], **fields)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert team.petugas.get("/tasks?scope=mine").get_json()["items"] == []


def test_a_complaint_names_what_it_is_about(client, team):
    assert report(client).status_code == 422
    assert report(client, publication_id=999).status_code == 422
    draft = team.admin.upload("/datasets", b"a,b\n1,2\n", "d.csv", title="Draf", opd="dinkes", period="2025")
    assert report(client, dataset_id=draft.get_json()["id"]).status_code == 422
    assert Api(client).get("/complaints/ADU-0000-0000").status_code == 404


def test_robots_are_kept_out(app_factory, client, team):
    dataset = team.dataset()
    assert report(client, dataset_id=dataset["id"], website="http://spam.example").status_code == 400
    assert report(client, dataset_id=dataset["id"], form_token="palsu").status_code == 400
    slow = app_factory(COMPLAINT_MIN_SECONDS=60).test_client()
    too_fast = report(slow, dataset_id=dataset["id"])
    assert too_fast.status_code == 400 and "terlalu cepat" in too_fast.get_json()["error"]["message"]
    assert team.petugas.get("/tasks?scope=mine").get_json()["items"] == []


def test_one_address_is_limited_per_hour_and_a_repeat_is_the_same_complaint(client, team):
    dataset = team.dataset()
    first = report(client, dataset_id=dataset["id"]).get_json()["ticket"]
    assert report(client, dataset_id=dataset["id"]).get_json()["ticket"] == first  # sent twice
    for n in range(4):
        assert report(client, dataset_id=dataset["id"], pesan=f"Masalah nomor {n} pada data ini.").status_code == 201
    refused = report(client, dataset_id=dataset["id"], pesan="Satu lagi masalah pada data ini.")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert len(team.petugas.get("/tasks?scope=mine&per_page=50").get_json()["items"]) == 5


def test_only_its_lane_starts_the_complaint_process_by_hand(team):
    assert team.desain.post("/instances", json={"process": PROCESS, "title": "Telepon"}).status_code == 403
    assert team.petugas.post("/instances", json={"process": "penyebarluasan_data", "title": "x"}).status_code == 403
    assert team.petugas.post("/instances", json={"process": PROCESS, "title": "Telepon"}).status_code == 201
