"""Steps of the SOP driven through the API, shared by the tests."""
from __future__ import annotations

from conftest import SAMPLE_CSV, image_bytes

PROCESS = "penyebarluasan_data"


def upload_dataset(api, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil"):
    response = api.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title=title, opd=opd, period="2025")
    assert response.status_code == 201, response.get_json()
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
