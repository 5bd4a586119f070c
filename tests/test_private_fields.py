"""Private form fields: a field marked "x-visible-to" in its form is seen only by the roles it
names, through every surface: the API's instance and task, the task page, the trail of a run,
the audit screen and its CSV export. The complaint's reporter (name and contact) is private this
way, to complaint staff and admins."""
from __future__ import annotations

import json

import pytest
from support.catalog import upload_dataset
from support.people import Api, sign_in
from support.sop import complete, ready_task

from app.core import audit
from app.core.models import User
from app.engine import DeployError, parse_model
from app.extensions import db
from app.policy import private_fields, redact

PROCESS = "penanganan_pengaduan"
NAME, CONTACT = "Sri Wahyuni", "0812-3456-7890"
MESSAGE = "Angka penduduk Kecamatan Poncol tertukar dengan Parang."


@pytest.fixture
def app(app_factory):
    return app_factory(COMPLAINT_MIN_SECONDS=0)


@pytest.fixture
def people(make_user):
    return {role: make_user(f"{role}1", role) for role in
            ("admin", "petugas_pengaduan", "redaktur", "pengawas", "desain", "walidata")}


@pytest.fixture
def complaint(client, people):
    """A complaint from the public about a checked dataset; its run and the ids of both."""
    dataset = upload_dataset(people["admin"])
    public = Api(client)
    token = public.get("/complaints/form-token").get_json()["form_token"]
    sent = public.post("/complaints", json={"nama": NAME, "kontak": CONTACT, "pesan": MESSAGE,
                                            "dataset_id": dataset["id"], "form_token": token})
    assert sent.status_code == 201, sent.get_json()
    [task] = people["petugas_pengaduan"].get("/tasks?scope=mine").get_json()["items"]
    assert task["bpmn_id"] == "verifikasi"
    return task["instance_id"], task["id"]


def shows_reporter(text: str) -> bool:
    found = (NAME in text, CONTACT in text)
    assert found[0] == found[1], found  # name and contact go together
    return found[0]


def test_the_policy_finds_private_fields_and_removes_them_at_any_depth():
    schemas = [{"properties": {"nama": {"type": "string", "x-visible-to": ["admin"]}, "pesan": {"type": "string"}}},
               {"properties": {"nama": {"x-visible-to": ["petugas_pengaduan"]}, "kontak": {"x-visible-to": ["admin"]}}}]
    assert private_fields(schemas) == {"nama": frozenset({"admin", "petugas_pengaduan"}),
                                       "kontak": frozenset({"admin"})}
    value = {"nama": "x", "data": {"kontak": "y", "list": [{"nama": "z", "ok": 1}]}, "pesan": "p"}
    assert redact(value, frozenset({"nama", "kontak"})) == {"data": {"list": [{"ok": 1}]}, "pesan": "p"}
    assert redact(value, frozenset()) is value


def test_a_private_field_must_name_known_roles_to_deploy():
    xml = open("processes/penanganan_pengaduan.bpmn", "rb").read()
    forms = {name: json.load(open(f"forms/{name}")) for name in
             ("pengaduan_registrasi.json", "pengaduan_verifikasi.json", "pengaduan_koreksi.json",
              "pengaduan_jawab.json", "pengaduan_tutup.json")}
    forms["pengaduan_registrasi.json"]["properties"]["kontak"]["x-visible-to"] = ["siapa_saja"]
    with pytest.raises(DeployError, match="x-visible-to"):
        parse_model(xml, roles={"admin", "petugas_pengaduan", "redaktur"}, effects={"revise"},
                    load_form=forms.get, max_bytes=1 << 20)


def test_the_api_shows_the_reporter_to_complaint_staff_and_admins_only(people, complaint):
    instance_id, task_id = complaint
    for role, sees in (("admin", True), ("petugas_pengaduan", True), ("redaktur", False), ("pengawas", False)):
        instance = people[role].get(f"/instances/{instance_id}").get_json()
        task = people[role].get(f"/tasks/{task_id}").get_json()
        assert (instance["data"].get("nama"), instance["data"].get("kontak")) == ((NAME, CONTACT) if sees else
                                                                                  (None, None)), role
        assert ("kontak" in task["data"]) == sees, role
        assert instance["data"]["pesan"] == MESSAGE and task["data"]["pesan"] == MESSAGE  # the problem is not private
        assert shows_reporter(json.dumps(instance, ensure_ascii=False)) == sees, role
    for role in ("desain", "walidata"):  # not a run of theirs to know
        assert people[role].get(f"/instances/{instance_id}").status_code == 404
        assert people[role].get(f"/tasks/{task_id}").status_code == 404


def test_the_screens_show_the_reporter_to_complaint_staff_and_admins_only(app, people, complaint):
    instance_id, task_id = complaint
    complete(people["petugas_pengaduan"], instance_id, "verifikasi",
             {"kategori": "data_salah", "keputusan": "koreksi", "catatan_verifikasi": "Benar tertukar."})
    correction = ready_task(people["redaktur"], instance_id, "koreksi")["id"]
    for username, sees in (("admin1", True), ("petugas_pengaduan1", True), ("redaktur1", False),
                           ("pengawas1", False)):
        browser = sign_in(app, username)
        for path in (f"/tugas/{task_id}", f"/tugas/{correction}", f"/proses/{instance_id}"):
            page = browser.get(path)
            assert page.status_code == 200, (username, path)
            assert shows_reporter(page.get_data(as_text=True)) == (sees and path.startswith("/tugas")), (username, path)
            assert MESSAGE in page.get_data(as_text=True) or path.startswith("/proses")


def test_the_trail_and_its_export_hide_private_values_from_supervisors(app, people, complaint):
    """An event of a run that carries a private field (here one recorded as a later form might):
    the Pengawas sees the event without it, on the screen and in the CSV; the admin sees it all."""
    instance_id, _task_id = complaint
    with app.app_context():
        petugas = db.session.scalar(db.select(User).where(User.username == "petugas_pengaduan1"))
        audit.record("task.complete", petugas, instance_id=instance_id, data={"kontak": CONTACT, "hasil": "valid"},
                     after={"nama": NAME})
        db.session.commit()
    for username, sees in (("pengawas1", False), ("admin1", True)):
        browser = sign_in(app, username)
        screen = browser.get(f"/jejak-audit?instans={instance_id}").get_data(as_text=True)
        export = browser.get(f"/jejak-audit.csv?instans={instance_id}").get_data(as_text=True)
        trail = browser.get(f"/proses/{instance_id}").get_data(as_text=True)
        assert "valid" in screen and "valid" in export
        assert shows_reporter(screen) == sees and shows_reporter(export) == sees, username
        assert not shows_reporter(trail)  # the trail's lines name actions, not their data
    api_history = people["pengawas"].get(f"/instances/{instance_id}").get_json()["history"]
    assert [e["detail"] for e in api_history if e["action"] == "task.complete"] == [{"data": {"hasil": "valid"}}]
    admin_history = people["admin"].get(f"/instances/{instance_id}").get_json()["history"]
    assert {"data": {"kontak": CONTACT, "hasil": "valid"}} in [e["detail"] for e in admin_history]
