"""Every status the contract names, the error shape, and lane authorization."""
from __future__ import annotations

import pytest
from support.catalog import upload_dataset
from support.sop import PROCESS, complete, ready_task, start, upload_design


def error_of(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def team(make_user):
    return {
        "admin": make_user("admin1", "admin"),
        "redaktur": make_user("redaktur1", "redaktur"),
        "desain": make_user("desain1", "desain"),
        "desain2": make_user("desain2", "desain"),
        "pengawas": make_user("pengawas1", "pengawas"),
    }


def test_token_wrong_password_is_401(client, make_user):
    make_user("siti", "desain")
    response = client.post("/api/v1/auth/token", json={"username": "siti", "password": "salah-sekali"})
    error_of(response, 401, "unauthorized")
    response = client.post("/api/v1/auth/token", json={"username": "tidak-ada", "password": "x"})
    error_of(response, 401)


def test_calls_without_or_with_a_bad_token_are_401(anonymous, client):
    error_of(anonymous.get("/tasks?scope=mine"), 401)
    response = client.get("/api/v1/tasks", headers={"Authorization": "Bearer palsu"})
    error_of(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_body_that_is_not_json_is_400(team):
    response = team["redaktur"].client.post(
        "/api/v1/instances", data="bukan json", content_type="text/plain",
        headers={"Authorization": f"Bearer {team['redaktur'].token}"})
    error_of(response, 400, "bad_request")


def test_unknown_paths_answer_json_404(team):
    error_of(team["admin"].get("/tidak-ada"), 404, "not_found")
    error_of(team["admin"].get("/instances/999999"), 404)
    error_of(team["admin"].get("/tasks/00000000-0000-0000-0000-000000000000"), 404)


def test_only_redaktur_and_admin_start_instances(team):
    for who in ("desain", "pengawas"):
        error_of(team[who].post("/instances", json={"process": PROCESS, "title": "X"}), 403, "forbidden")
    assert team["admin"].post("/instances", json={"process": PROCESS, "title": "X"}).status_code == 201


def test_start_with_bad_input_is_422(team):
    err = error_of(team["redaktur"].post("/instances", json={"process": "tidak_ada", "title": ""}), 422)
    assert set(err["fields"]) == {"process", "title"}
    err = error_of(team["redaktur"].post("/instances", json={"process": PROCESS, "title": 42}), 422)
    assert set(err["fields"]) == {"title"}


def test_lane_authorization(team):
    instance = start(team["redaktur"])
    task_id = instance["tasks"][0]["id"]
    # tentukan_data is in the Redaktur lane: Tim Desain may not claim or complete it, but as
    # people of the same run they may read it (as they read the run itself).
    error_of(team["desain"].post(f"/tasks/{task_id}/claim"), 403)
    error_of(team["desain"].post(f"/tasks/{task_id}/complete", json={"data": {}}), 403)
    assert team["desain"].get(f"/tasks/{task_id}").get_json()["bpmn_id"] == "tentukan_data"
    # Supervisors may look, not act.
    assert team["pengawas"].get(f"/tasks/{task_id}").status_code == 200
    error_of(team["pengawas"].post(f"/tasks/{task_id}/claim"), 403)
    # The inbox of Tim Desain does not show it.
    assert team["desain"].get("/tasks?scope=mine").get_json()["total"] == 0
    assert team["redaktur"].get("/tasks?scope=mine").get_json()["items"][0]["id"] == task_id


def test_claim_conflicts_and_release(team):
    dataset = upload_dataset(team["admin"])
    instance = start(team["redaktur"])
    complete(team["redaktur"], instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    task = ready_task(team["desain"], instance["id"], "ambil_data")

    claimed = team["desain"].post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "desain1"
    assert team["desain"].post(f"/tasks/{task['id']}/claim").status_code == 200  # idempotent
    error_of(team["desain2"].post(f"/tasks/{task['id']}/claim"), 409, "conflict")
    error_of(team["desain2"].post(f"/tasks/{task['id']}/complete",
                                  json={"data": {"data_terpilih": "x"}}), 409)
    # A colleague's claimed task leaves "mine" but stays in the lane view.
    assert team["desain2"].get("/tasks?scope=mine").get_json()["total"] == 0
    assert team["desain2"].get("/tasks?scope=lane").get_json()["total"] == 1

    released = team["desain"].post(f"/tasks/{task['id']}/release")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert team["desain2"].post(f"/tasks/{task['id']}/claim").status_code == 200


def test_completing_a_completed_task_is_409(team):
    dataset = upload_dataset(team["admin"])
    instance = start(team["redaktur"])
    task_id = instance["tasks"][0]["id"]
    ok = team["redaktur"].post(f"/tasks/{task_id}/complete", json={"data": {"dataset_id": dataset["id"]}})
    assert ok.status_code == 200
    error_of(team["redaktur"].post(f"/tasks/{task_id}/complete",
                                   json={"data": {"dataset_id": dataset["id"]}}), 409)
    error_of(team["redaktur"].post(f"/tasks/{task_id}/claim"), 409)


def _snapshot(api, instance_id):
    body = api.get(f"/instances/{instance_id}").get_json()
    return body["data"], [(t["id"], t["state"], t["assignee"]) for t in body["tasks"]], len(body["history"])


def test_invalid_form_data_is_422_with_fields_and_changes_nothing(team):
    dataset = upload_dataset(team["admin"])
    instance = start(team["redaktur"])
    task_id = instance["tasks"][0]["id"]
    before = _snapshot(team["redaktur"], instance["id"])

    err = error_of(team["redaktur"].post(f"/tasks/{task_id}/complete", json={"data": {}}), 422, "invalid")
    assert err["fields"] == {"dataset_id": "wajib diisi"}
    err = error_of(team["redaktur"].post(f"/tasks/{task_id}/complete", json={
        "data": {"dataset_id": 987654, "target_terbit": "31-12-2026", "rahasia": True}}), 422)
    assert set(err["fields"]) == {"dataset_id", "target_terbit", "rahasia"}
    err = error_of(team["redaktur"].post(f"/tasks/{task_id}/complete",
                                         json={"data": {"dataset_id": str(dataset["id"])}}), 422)
    assert "dataset_id" in err["fields"]
    err = error_of(team["redaktur"].post(f"/tasks/{task_id}/complete", json={"data": ["x"]}), 422)
    assert err["fields"]

    assert _snapshot(team["redaktur"], instance["id"]) == before
    assert team["redaktur"].get(f"/tasks/{task_id}").get_json()["state"] == "ready"


def test_revision_requires_notes_and_design_requires_a_real_file(team):
    dataset = upload_dataset(team["admin"])
    instance = start(team["redaktur"])
    complete(team["redaktur"], instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    complete(team["desain"], instance["id"], "ambil_data", {"data_terpilih": "semua kolom"})

    design_task = ready_task(team["desain"], instance["id"], "desain")
    err = error_of(team["desain"].post(f"/tasks/{design_task['id']}/complete",
                                       json={"data": {"desain": "tidak-ada"}}), 422)
    assert err["fields"] == {"desain": "berkas tidak ditemukan; unggah ulang"}
    pdf = team["desain"].upload("/files", b"%PDF-1.4\n%%EOF\n", "desain.pdf").get_json()["id"]
    err = error_of(team["desain"].post(f"/tasks/{design_task['id']}/complete",
                                       json={"data": {"desain": pdf}}), 422)
    assert "desain" in err["fields"]
    complete(team["desain"], instance["id"], "desain", {"desain": upload_design(team["desain"])})
    complete(team["desain"], instance["id"], "caption", {"caption": "Caption."})

    review = ready_task(team["redaktur"], instance["id"], "periksa")
    for data in ({"keputusan": "revisi"}, {"keputusan": "revisi", "catatan_revisi": "   "}):
        err = error_of(team["redaktur"].post(f"/tasks/{review['id']}/complete", json={"data": data}), 422)
        assert set(err["fields"]) == {"catatan_revisi"}
    err = error_of(team["redaktur"].post(f"/tasks/{review['id']}/complete",
                                         json={"data": {"keputusan": "mungkin"}}), 422)
    assert set(err["fields"]) == {"keputusan"}
    state = complete(team["redaktur"], instance["id"], "periksa", {"keputusan": "disetujui"})
    assert [t["bpmn_id"] for t in state["tasks"] if t["state"] == "ready"] == ["publikasi"]


def test_task_detail_carries_form_and_data(team):
    dataset = upload_dataset(team["admin"])
    instance = start(team["redaktur"])
    complete(team["redaktur"], instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    task = ready_task(team["desain"], instance["id"], "ambil_data")
    detail = team["desain"].get(f"/tasks/{task['id']}").get_json()
    for key in ("id", "instance_id", "bpmn_id", "name", "lane", "assignee", "created_at", "due_at", "overdue"):
        assert key in detail
    assert detail["form"]["type"] == "object"
    assert detail["form"]["additionalProperties"] is False
    assert detail["data"]["dataset_id"] == dataset["id"]


def test_paging_arguments_are_checked(team):
    error_of(team["admin"].get("/datasets?page=0"), 400)
    error_of(team["admin"].get("/datasets?per_page=1000"), 400)
    error_of(team["admin"].get("/tasks?scope=semua"), 400)


def test_only_admins_deploy(team):
    with open("processes/penyebarluasan_data.bpmn", "rb") as fh:
        xml = fh.read()
    response = team["redaktur"].client.post(
        f"/api/v1/processes/{PROCESS}/versions", data=xml, content_type="application/xml",
        headers={"Authorization": f"Bearer {team['redaktur'].token}"})
    error_of(response, 403)
