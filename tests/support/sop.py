"""The SOP "Penyebarluasan Data" driven through /api/v1: a design uploaded, a run started, the
ready task of a step as the caller's inbox lists it, a step completed, and whole runs to the
portal — by a pair of callers, or by a Team of an admin, a redaktur and a designer."""
from __future__ import annotations

from .catalog import upload_dataset
from .samples import image_bytes

PROCESS = "penyebarluasan_data"


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


def publish(team, dataset, title, caption):
    """A whole SOP run: the redaktur picks the data, the designer designs, the redaktur approves.
    team is the pair (redaktur, desain)."""
    redaktur, desain = team
    instance = start(redaktur, title)
    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    complete(desain, instance["id"], "ambil_data", {"data_terpilih": "semua"})
    complete(desain, instance["id"], "desain", {"desain": upload_design(desain)})
    complete(desain, instance["id"], "caption", {"caption": caption})
    complete(redaktur, instance["id"], "periksa", {"keputusan": "disetujui"})
    complete(desain, instance["id"], "publikasi", {"kanal": ["website"]})


class Team:
    """An admin, a redaktur and a designer, made once per test, who publish items end to end."""

    def __init__(self, make_user):
        self.admin = make_user("admin1", "admin")
        self.redaktur = make_user("redaktur1", "redaktur")
        self.desain = make_user("desain1", "desain")

    def dataset(self, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil"):
        return upload_dataset(self.admin, title=title, opd=opd)

    def publish(self, title, caption, dataset=None, tagar=None, links=None):
        dataset = dataset or self.dataset()
        instance = start(self.redaktur, title)
        return self.run(instance["id"], dataset["id"], caption, tagar=tagar, links=links)

    def run(self, instance_id, dataset_id, caption, tagar=None, links=None):
        """Every step of a started run, approved at the first review; returns the instance."""
        complete(self.redaktur, instance_id, "tentukan_data", {"dataset_id": dataset_id})
        complete(self.desain, instance_id, "ambil_data", {"data_terpilih": "semua"})
        complete(self.desain, instance_id, "desain", {"desain": upload_design(self.desain)})
        caption_data = {"caption": caption, **({"tagar": tagar} if tagar is not None else {})}
        complete(self.desain, instance_id, "caption", caption_data)
        complete(self.redaktur, instance_id, "periksa", {"keputusan": "disetujui"})
        final = {"kanal": ["website"], **({"tautan": links} if links else {})}
        return complete(self.desain, instance_id, "publikasi", final)
