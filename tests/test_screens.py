"""The staff screens through HTTP: every role does its whole job in the browser's forms."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from support.catalog import upload_dataset
from support.people import html, sign_in
from support.samples import image_bytes
from support.sop import complete, ready_task, start, upload_design

from app.core.models import User
from app.extensions import db
from app.workflow import instances, tasks
from app.workflow.models import HumanTask


@pytest.fixture
def people(app, make_user):
    admin = make_user("admin1", "admin")
    make_user("redaktur1", "redaktur")
    make_user("desain1", "desain")
    make_user("pengawas1", "pengawas")
    dataset = upload_dataset(admin)
    return {"dataset": dataset, **{name: sign_in(app, name) for name in ("redaktur1", "desain1", "pengawas1")}}


def task_path(response):
    match = re.search(r"/tugas/([0-9a-f-]{36})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return f"/tugas/{match[1]}"


def first_task_link(page, step_name):
    """The task page linked from an inbox row whose step is step_name."""
    rows = re.findall(r"<tr[^>]*data-task=\"([0-9a-f-]{36})\"(.*?)</tr>", page, re.S)
    found = [task_id for task_id, body in rows if step_name in body]
    assert found, f"{step_name} not in inbox"
    return f"/tugas/{found[0]}"


def test_staff_pages_need_a_login(client):
    for path in ("/tugas", "/proses", "/proses/baru"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_whole_sop_in_the_screens(people, client):
    redaktur, desain, pengawas, dataset = people["redaktur1"], people["desain1"], people["pengawas1"], people["dataset"]

    # New publication: a missing title is refused and the chosen data stays chosen.
    form = html(redaktur.get("/proses/baru?q=penduduk"))
    assert "Jumlah Penduduk per Kecamatan" in form
    refused = redaktur.post("/proses/baru", data={"title": "", "dataset_id": dataset["id"], "action": "start"})
    assert refused.status_code == 422
    assert "wajib diisi" in html(refused) and f'value="{dataset["id"]}" checked' in html(refused)
    started = redaktur.post("/proses/baru", data={"title": "Penduduk 2025", "dataset_id": dataset["id"],
                                                  "action": "start"})
    first = task_path(started)
    page = html(redaktur.get(first))
    assert "Menentukan data yang akan dipublikasikan" in page
    assert f'<option value="{dataset["id"]}" selected>' in page  # the chosen data, kept as a draft

    done = redaktur.post(first, data={"dataset_id": dataset["id"], "tujuan": "Hari jadi Magetan",
                                      "action": "complete"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/tugas")
    assert "Tidak ada tugas yang menunggu Anda." in html(redaktur.get("/tugas"))

    # Tim Desain: the inbox shows the step; claiming and completing moves on to the next own step.
    inbox = html(desain.get("/tugas"))
    take = first_task_link(inbox, "Mengambil data dari data yang sudah terolah")
    assert desain.post(take + "/ambil").status_code == 302
    assert "Data terolah" in html(desain.get(take)) and "Maospati" in html(desain.get(take))
    nxt = desain.post(take, data={"data_terpilih": "Jumlah penduduk per kecamatan", "action": "complete"})
    design_page = task_path(nxt)
    assert "Mendesain bahan untuk publikasi" in html(desain.get(design_page))

    # A draft keeps what was typed without completing.
    desain.post(design_page, data={"catatan_desain": "Warna biru", "action": "draft"})
    assert "Warna biru" in html(desain.get(design_page))
    caption_page = task_path(desain.post(design_page, data={
        "desain": (io.BytesIO(image_bytes()), "v1.png"), "catatan_desain": "Warna biru", "action": "complete"},
        content_type="multipart/form-data"))
    review_path = desain.post(caption_page, data={"caption": "Penduduk Magetan 2025.", "tagar": "SatuData\nMagetan",
                                                  "action": "complete"})
    assert review_path.headers["Location"].endswith("/tugas")

    # The Redaktur reviews: revision without notes is refused, what was chosen stays.
    review = first_task_link(html(redaktur.get("/tugas")), "Apakah ada revisi?")
    assert "Desain saat ini" in html(redaktur.get(review))
    refused = redaktur.post(review, data={"keputusan": "revisi", "catatan_revisi": " ", "action": "complete"})
    assert refused.status_code == 422
    body = html(refused)
    assert 'value="revisi" checked' in body and "wajib diisi" in body and 'id="f-catatan_revisi-error"' in body
    back = redaktur.post(review, data={"keputusan": "revisi", "catatan_revisi": "Cantumkan sumber data.",
                                       "action": "complete"})
    assert back.status_code == 302

    # Back to design with the notes shown prominently.
    again = first_task_link(html(desain.get("/tugas")), "Mendesain bahan untuk publikasi")
    page = html(desain.get(again))
    assert 'id="catatan-revisi"' in page and "Cantumkan sumber data." in page
    caption_again = task_path(desain.post(again, data={
        "desain": (io.BytesIO(image_bytes(color=(0, 120, 0))), "v2.png"), "action": "complete"},
        content_type="multipart/form-data"))
    desain.post(caption_again, data={"caption": "Penduduk Magetan 2025. Sumber: Dispendukcapil.",
                                     "action": "complete"})
    review = first_task_link(html(redaktur.get("/tugas")), "Apakah ada revisi?")
    redaktur.post(review, data={"keputusan": "disetujui", "action": "complete"})

    publish = first_task_link(html(desain.get("/tugas")), "Upload data pada media sosial atau website")
    refused = desain.post(publish, data={"action": "complete"})
    assert refused.status_code == 422 and "kanal" in html(refused)
    finished = desain.post(publish, data={"kanal": ["website", "instagram"],
                                          "tautan": "https://instagram.com/p/xyz", "action": "complete"})
    assert re.search(r"/proses/\d+$", finished.headers["Location"])

    instance_page = html(pengawas.get(finished.headers["Location"]))
    assert "Selesai" in instance_page and "Versi 2" in instance_page and "Cantumkan sumber data." in instance_page
    assert 'data-highlight="' in instance_page
    diagram = pengawas.get(finished.headers["Location"] + "/diagram.bpmn")
    assert diagram.mimetype == "application/xml" and b"penyebarluasan_data" in diagram.data
    assert "Penduduk 2025" in html(client.get("/"))

    listing = html(pengawas.get("/proses?state=completed&q=penduduk"))
    assert "Penduduk 2025" in listing
    assert "Penduduk 2025" not in html(pengawas.get("/proses?state=running"))


def test_an_overdue_task_shows_as_overdue(app, people):
    redaktur = people["redaktur1"]
    with app.app_context():
        user = db.session.query(User).filter_by(username="redaktur1").one()
        long_ago = datetime.now(UTC) - timedelta(days=14)
        instance = instances.start("penyebarluasan_data", "Terlambat sekali", user, now=long_ago)
        db.session.commit()
        task_id = instance.tasks[0].id
        assert db.session.get(HumanTask, task_id).due_at < datetime.now(UTC)
    page = html(redaktur.get("/tugas"))
    row = re.search(rf'<tr class="table-danger" data-task="{task_id}">(.*?)</tr>', page, re.S)
    assert row and "Terlambat" in row[1]
    assert task_id in html(redaktur.get("/tugas?overdue=1"))
    assert "Terlambat sekali" in html(people["pengawas1"].get("/proses?overdue=1"))


def test_roles_see_only_their_screens(people):
    assert people["desain1"].get("/proses/baru").status_code == 403
    assert people["desain1"].get("/proses").status_code == 403
    assert people["pengawas1"].get("/proses").status_code == 200


def test_new_publication_names_every_missing_field(people):
    refused = people["redaktur1"].post("/proses/baru", data={"title": " ", "action": "start"})
    assert refused.status_code == 422
    body = html(refused)
    assert 'id="title-error"' in body and "pilih data terolah dari katalog" in body


def test_the_first_task_shows_the_chosen_data(people):
    started = people["redaktur1"].post("/proses/baru", data={
        "title": "Penduduk", "dataset_id": people["dataset"]["id"], "action": "start"})
    page = html(people["redaktur1"].get(task_path(started)))
    assert 'id="data-terpilih"' in page and "Maospati" in page


def test_work_stays_with_its_people_and_revisions_start_from_the_last_version(app, people, make_user):
    make_user("desain2", "desain")
    redaktur_api, desain_api = make_user("redaktur9", "redaktur"), make_user("desain9", "desain")
    instance = start(redaktur_api)
    complete(redaktur_api, instance["id"], "tentukan_data", {"dataset_id": people["dataset"]["id"]})
    complete(desain_api, instance["id"], "ambil_data", {"data_terpilih": "x"})
    # The next step of the lane is already the designer's own.
    assert ready_task(desain_api, instance["id"], "desain")["assignee"] == "desain9"
    complete(desain_api, instance["id"], "desain", {"desain": upload_design(desain_api)})
    complete(desain_api, instance["id"], "caption", {"caption": "Versi pertama.", "tagar": ["Magetan"]})
    state = complete(redaktur_api, instance["id"], "periksa",
                     {"keputusan": "revisi", "catatan_revisi": "Ubah caption saja."})
    back = [t for t in state["tasks"] if t["state"] == "ready"][0]
    assert back["assignee"] == "desain9"  # the revision goes back to who designed it

    designer = sign_in(app, "desain9")
    page = html(designer.get(f"/tugas/{back['id']}"))
    kept = re.search(r'type="hidden" name="desain" value="([0-9a-f]+)"', page)
    assert kept  # the last design is kept unless a new one is chosen
    caption_task = task_path(designer.post(f"/tugas/{back['id']}", data={"desain": kept[1], "action": "complete"}))
    assert "Versi pertama." in html(designer.get(caption_task))
    # A decision is made afresh: the second review does not come pre-filled with "revisi".
    designer.post(caption_task, data={"caption": "Versi kedua.", "tagar": "Magetan", "action": "complete"})
    review = ready_task(redaktur_api, instance["id"], "periksa")
    assert 'value="revisi" checked' not in html(sign_in(app, "redaktur9").get(f"/tugas/{review['id']}"))


def test_supervisors_see_every_waiting_task_by_default(app, people):
    with app.app_context():
        user = db.session.query(User).filter_by(username="redaktur1").one()
        instances.start("penyebarluasan_data", "Untuk diawasi", user)
        db.session.commit()
    assert "Untuk diawasi" in html(people["pengawas1"].get("/tugas"))
    assert "Untuk diawasi" in html(people["redaktur1"].get("/tugas"))
    assert "Untuk diawasi" not in html(people["desain1"].get("/tugas"))


def test_claim_and_release_from_the_screens(app, people, make_user):
    make_user("desain2", "desain")
    other = sign_in(app, "desain2")
    with app.app_context():
        user = db.session.query(User).filter_by(username="redaktur1").one()
        instance = instances.start("penyebarluasan_data", "Klaim", user)
        task = tasks.next_task_for(instance, user)
        tasks.complete(task.id, {"dataset_id": people["dataset"]["id"]}, user)
        db.session.commit()
        waiting = [t.id for t in instance.tasks if t.completed_at is None][0]
    desain = people["desain1"]
    assert desain.post(f"/tugas/{waiting}/ambil").headers["Location"] == f"/tugas/{waiting}"
    refused = other.post(f"/tugas/{waiting}/ambil", follow_redirects=True)
    assert "sedang dikerjakan oleh" in html(refused)
    released = desain.post(f"/tugas/{waiting}/lepas")
    assert released.headers["Location"] == "/tugas"
    taken = other.post(f"/tugas/{waiting}/ambil", follow_redirects=True)
    assert "Anda yang mengerjakannya sekarang" in html(taken)
