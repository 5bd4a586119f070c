"""The whole SOP through the API, with one revision loop, as a script would drive it."""
from __future__ import annotations

from support.catalog import upload_dataset
from support.sop import PROCESS, complete, ready_task, start, upload_design

STEPS = ["tentukan_data", "ambil_data", "desain", "caption", "periksa", "publikasi"]


def test_whole_sop_with_one_revision(make_user, anonymous, client):
    admin = make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    desain = make_user("desain1", "desain")
    dataset = upload_dataset(admin)

    instance = start(redaktur)
    assert instance["state"] == "running"
    assert [t["bpmn_id"] for t in instance["tasks"]] == ["tentukan_data"]
    assert instance["tasks"][0]["lane"] == "Redaktur"

    task = ready_task(redaktur, instance["id"], "tentukan_data")
    detail = redaktur.get(f"/tasks/{task['id']}").get_json()
    assert dataset["id"] in detail["form"]["properties"]["dataset_id"]["enum"]

    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset["id"], "tujuan": "Hari Statistik"})
    # The Redaktur's work is done; the next step waits in the Tim Desain lane, not in theirs.
    assert redaktur.get("/tasks?scope=mine").get_json()["total"] == 0
    complete(desain, instance["id"], "ambil_data", {"data_terpilih": "Jumlah penduduk per kecamatan, 2025"})
    first_design = upload_design(desain, color=(10, 10, 200))
    complete(desain, instance["id"], "desain", {"desain": first_design})
    complete(desain, instance["id"], "caption", {"caption": "Penduduk Magetan 2025 per kecamatan."})
    state = complete(redaktur, instance["id"], "periksa",
                     {"keputusan": "revisi", "catatan_revisi": "Perbesar judul dan cantumkan sumber."})

    # Row 6b: back to design, with the editor's notes in the data.
    assert [t["bpmn_id"] for t in state["tasks"] if t["state"] == "ready"] == ["desain"]
    assert state["data"]["catatan_revisi"] == "Perbesar judul dan cantumkan sumber."
    second_design = upload_design(desain, color=(10, 150, 10))
    complete(desain, instance["id"], "desain", {"desain": second_design, "catatan_desain": "Judul diperbesar."})
    complete(desain, instance["id"], "caption",
             {"caption": "Penduduk Magetan 2025 per kecamatan.\nSumber: Dispendukcapil.", "tagar": ["SatuDataMagetan"]})
    assert anonymous.get("/publications").get_json()["total"] == 0
    complete(redaktur, instance["id"], "periksa", {"keputusan": "disetujui"})
    # Approved but not yet uploaded: nothing is published before publikasi completes.
    assert anonymous.get("/publications").get_json()["total"] == 0
    final = complete(desain, instance["id"], "publikasi",
                     {"kanal": ["website", "instagram"], "tautan": ["https://instagram.com/p/abc"]})

    assert final["state"] == "completed"
    assert final["completed_at"] is not None
    done = [t["bpmn_id"] for t in final["tasks"]]
    assert done == ["tentukan_data", "ambil_data", "desain", "caption", "periksa",
                    "desain", "caption", "periksa", "publikasi"]
    assert all(t["state"] == "completed" for t in final["tasks"])
    assert {t["completed_by"] for t in final["tasks"] if t["lane"] == "Tim Desain"} == {"desain1"}
    actions = [e["action"] for e in final["history"]]
    assert actions[0] == "instance.start"
    assert actions.count("task.complete") == 9
    assert "publication.publish" in actions

    published = anonymous.get("/publications").get_json()
    assert published["total"] == 1
    item = published["items"][0]
    assert item["title"] == "Infografis penduduk Magetan 2025"
    assert item["caption"].endswith("Sumber: Dispendukcapil.")
    assert item["dataset"]["id"] == dataset["id"]
    assert item["channels"] == ["website", "instagram"]
    image = client.get(item["image_url"].replace("http://localhost", ""))
    assert image.status_code == 200 and image.mimetype == "image/png"
    # The published image is the approved (second) design.
    assert second_design in item["image_url"]
    page = client.get("/")
    assert "Infografis penduduk Magetan 2025" in page.get_data(as_text=True)
    assert client.get(item["dataset"]["url"].replace("http://localhost", "")).status_code == 200


def test_instance_carries_due_times(make_user):
    redaktur = make_user("redaktur1", "redaktur")
    instance = start(redaktur)
    assert instance["due_at"] > instance["created_at"]
    task = instance["tasks"][0]
    assert task["due_at"] > task["created_at"] and task["overdue"] is False
    assert task["due_at"] <= instance["due_at"]


def test_process_listing(make_user):
    api = make_user("pengawas1", "pengawas")
    body = api.get("/processes").get_json()
    # Both shipped processes, each deployed once.
    assert [p["id"] for p in body["items"]] == ["penanganan_pengaduan", PROCESS]
    assert [p["versions"][0]["version"] for p in body["items"]] == [1, 1]
