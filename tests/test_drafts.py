"""The process draft behind the modeler and the form editor: made from the latest version,
saved, validated with problems per element, deployed as the next version with its forms;
admins only; a draft never runs."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from support.people import sign_in
from support.sop import PROCESS, start
from support.variants import without_declared_decisions

from app.core.errors import Conflict, Forbidden, Invalid
from app.core.models import AuditEvent, User
from app.extensions import db
from app.process_admin import drafts
from app.process_admin.models import ProcessDraft
from app.workflow import processes
from app.workflow.models import Instance, ProcessVersion

BASE = f"/admin/proses/{PROCESS}/modeler"
NOT_IN_LANE = "tugas pengguna harus berada di lajur yang dipetakan ke peran"
OLD_NAME = 'name="Mengambil data dari data yang sudah terolah"'
NEW_NAME = 'name="Mengambil data terolah dari katalog"'


@pytest.fixture
def admin(app, make_user):
    make_user("admin1", "admin")
    return sign_in(app, "admin1")


def user(app, username):
    return db.session.scalar(select(User).where(User.username == username))


def latest_xml(app) -> str:
    with app.app_context():
        return processes.latest(PROCESS).bpmn_xml


def draft_json(client):
    response = client.get(f"{BASE}/draf.json", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def save(client, xml, forms, token):
    return client.post(f"{BASE}/draf", json={"xml": xml, "forms": forms, "token": token})


def versions(app):
    """The versions of the process as plain records (what a test compares)."""
    with app.app_context():
        rows = db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == PROCESS)
                                  .order_by(ProcessVersion.version)).all()
        return [SimpleNamespace(version=v.version, notes=v.notes, bpmn_xml=v.bpmn_xml, forms=v.forms)
                for v in rows]


def events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# The service -------------------------------------------------------------------------------

def test_a_draft_starts_as_the_latest_version_and_is_stored_only_when_saved(app, make_user):
    make_user("admin1", "admin")
    with app.app_context():
        admin_user = user(app, "admin1")
        latest = processes.latest(PROCESS)
        draft = drafts.load(PROCESS, admin_user)
        assert not drafts.is_saved(draft)
        assert draft.bpmn_xml == latest.bpmn_xml
        assert draft.forms == latest.forms and "periksa.json" in draft.forms
        assert db.session.scalar(select(ProcessDraft)) is None
        assert drafts.validate(draft) == {}

        renamed = latest.bpmn_xml.replace(OLD_NAME, NEW_NAME)
        drafts.save(PROCESS, renamed, draft.forms, admin_user, base=drafts.token(draft))
        db.session.commit()
        stored = db.session.scalar(select(ProcessDraft))
        assert stored.bpmn_xml == renamed and stored.updated_by_id == admin_user.id
        assert drafts.load(PROCESS, admin_user).bpmn_xml == renamed
    [event] = events(app, "process.draft_save")
    assert event.detail["process"] == PROCESS


def test_only_admins_reach_drafts(app, make_user):
    make_user("redaktur1", "redaktur")
    with app.app_context():
        with pytest.raises(Forbidden):
            drafts.load(PROCESS, user(app, "redaktur1"))
        with pytest.raises(Forbidden):
            drafts.save(PROCESS, "<x/>", {}, user(app, "redaktur1"))
        with pytest.raises(Forbidden):
            drafts.deploy(PROCESS, user(app, "redaktur1"))


def test_non_admins_get_403_on_every_modeler_address(app, make_user):
    make_user("redaktur1", "redaktur")
    make_user("pengawas1", "pengawas")
    for username in ("redaktur1", "pengawas1"):
        client = sign_in(app, username)
        assert client.get(BASE).status_code == 403
        response = client.get(f"{BASE}/draf.json", headers={"Accept": "application/json"})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
        assert save(client, latest_xml(app), {}, None).status_code == 403
        assert client.post(f"{BASE}/validasi", json={}).status_code == 403
        assert client.post(f"{BASE}/pasang", json={"notes": "x"}).status_code == 403
        assert client.post(f"{BASE}/buang").status_code == 403
        assert client.get(f"{BASE}/formulir").status_code == 403
        assert client.get(f"{BASE}/formulir/periksa.json").status_code == 403
        assert client.post(f"{BASE}/formulir/periksa.json", data={"schema": "{}"}).status_code == 403
        assert client.post(f"{BASE}/pratinjau", json={"schema": "{}"}).status_code == 403
    assert app.test_client().get(BASE).status_code == 302  # anonymous: to the sign-in page
    assert len(versions(app)) == 1 and not events(app, "process.draft_save")


# Save, validate, deploy over HTTP ---------------------------------------------------------------

def test_the_modeler_page_loads_the_modeler_and_the_draft(admin):
    page = admin.get(BASE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "vendor/bpmn-js/bpmn-modeler.production.min.js" in html and "js/modeler.js" in html
    assert f'data-draft="{BASE}/draf.json"' in html
    assert "<script>" not in html  # CSP: no inline scripts
    data = draft_json(admin)
    assert data["saved"] is False and 'id="ambil_data"' in data["xml"]
    assert sorted(data["forms"]) == ["ambil_data.json", "caption.json", "desain.json", "periksa.json",
                                     "publikasi.json", "tentukan_data.json"]
    keputusan = next(f for f in data["fields"] if f["name"] == "keputusan")
    assert keputusan["enum"] == ["revisi", "disetujui"] and keputusan["forms"] == ["periksa.json"]


def test_save_validate_and_deploy_make_the_next_version_with_the_drafts_forms(app, admin):
    data = draft_json(admin)
    renamed = data["xml"].replace(OLD_NAME, NEW_NAME)
    forms = data["forms"]
    forms["caption.json"]["properties"]["sumber_foto"] = {"type": "string", "title": "Sumber foto"}
    saved = save(admin, renamed, forms, data["token"])
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["token"] != data["token"]
    assert draft_json(admin)["saved"] is True

    checked = admin.post(f"{BASE}/validasi", json={})
    assert checked.status_code == 200 and checked.get_json() == {
        "valid": True, "problems": {}, "message": "Model valid: siap dipasang."}

    deployed = admin.post(f"{BASE}/pasang",
                          json={"notes": "nama langkah 3 diperjelas", "token": saved.get_json()["token"]})
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 2
    assert deployed.get_json()["url"].startswith(f"/admin/proses/{PROCESS}")
    first, second = versions(app)
    assert second.version == 2 and second.notes == "nama langkah 3 diperjelas"
    assert NEW_NAME in second.bpmn_xml and OLD_NAME in first.bpmn_xml
    assert "sumber_foto" in second.forms["caption.json"]["properties"]
    assert "sumber_foto" not in first.forms["caption.json"]["properties"]
    with app.app_context():
        assert processes.model_of(processes.latest(PROCESS)).user_tasks["ambil_data"].name == \
            "Mengambil data terolah dari katalog"
        assert db.session.scalar(select(ProcessDraft)) is None  # the draft became the version
    [deploy_event] = events(app, "process.deploy")[-1:]
    assert deploy_event.detail["version"] == 2
    again = draft_json(admin)
    assert again["saved"] is False and NEW_NAME in again["xml"]


def test_a_task_outside_any_lane_is_a_problem_keyed_by_that_task(app, admin):
    data = draft_json(admin)
    outside = data["xml"].replace("<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>", "")
    assert outside != data["xml"]
    # What the modeler shows, unsaved:
    checked = admin.post(f"{BASE}/validasi", json={"xml": outside, "forms": data["forms"]}).get_json()
    assert checked["valid"] is False
    assert checked["problems"] == {"ambil_data": NOT_IN_LANE}
    # The stored draft, and its deploy:
    assert save(admin, outside, data["forms"], data["token"]).status_code == 200
    assert admin.post(f"{BASE}/validasi", json={}).get_json()["problems"] == {"ambil_data": NOT_IN_LANE}
    refused = admin.post(f"{BASE}/pasang", json={"notes": "x"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"ambil_data": NOT_IN_LANE}
    assert len(versions(app)) == 1
    with app.app_context():
        assert drafts.validate(drafts.load(PROCESS, user(app, "admin1"))) == {"ambil_data": NOT_IN_LANE}


def test_model_problems_without_an_element_and_unsafe_conditions(admin):
    data = draft_json(admin)
    broken = admin.post(f"{BASE}/validasi", json={"xml": "<bpmn:definitions", "forms": {}}).get_json()
    assert list(broken["problems"]) == ["bpmn"] and "XML tidak valid" in broken["problems"]["bpmn"]
    unsafe = data["xml"].replace('keputusan == "revisi"', "__import__('os').system('id')")
    problems = admin.post(f"{BASE}/validasi", json={"xml": unsafe, "forms": data["forms"]}).get_json()["problems"]
    assert list(problems) == ["flow_revisi"] and problems["flow_revisi"].startswith("kondisi ditolak")
    # What the condition builder writes is accepted.
    built = data["xml"].replace('keputusan == "revisi"', 'keputusan in ["revisi", "ulang \\"lagi\\""]')
    assert admin.post(f"{BASE}/validasi", json={"xml": built, "forms": data["forms"]}).get_json()["valid"] is True
    other = data["xml"].replace('id="penyebarluasan_data"', 'id="proses_lain"')
    problems = admin.post(f"{BASE}/validasi", json={"xml": other, "forms": data["forms"]}).get_json()["problems"]
    assert "proses_lain" in problems.get("bpmn", "")


def test_deploying_an_unchanged_draft_is_refused(app, admin):
    refused = admin.post(f"{BASE}/pasang", json={"notes": ""})
    assert refused.status_code == 422 and "tidak ada yang perlu dipasang" in refused.get_json()["error"]["message"]
    assert len(versions(app)) == 1


def test_a_save_over_a_changed_draft_answers_409_and_names_what_changed(app, admin):
    data = draft_json(admin)
    renamed = data["xml"].replace(OLD_NAME, NEW_NAME)
    assert save(admin, renamed, data["forms"], data["token"]).status_code == 200
    stale = save(admin, data["xml"], data["forms"], data["token"])
    assert stale.status_code == 409 and stale.get_json()["error"]["fields"] == {"xml": "berubah"}
    assert NEW_NAME in draft_json(admin)["xml"]  # nothing overwritten

    current = draft_json(admin)
    text = json.dumps({**current["forms"]["periksa.json"], "title": "Pemeriksaan"})
    assert admin.post(f"{BASE}/formulir/periksa.json", data={"schema": text}).status_code == 302
    forms_only = save(admin, current["xml"], current["forms"], current["token"])
    assert forms_only.status_code == 409 and forms_only.get_json()["error"]["fields"] == {"forms": "berubah"}
    assert draft_json(admin)["forms"]["periksa.json"]["title"] == "Pemeriksaan"


def test_a_draft_never_runs_instances_start_on_the_latest_version(app, admin, make_user):
    redaktur = make_user("redaktur1", "redaktur")
    older = start(redaktur, "Sebelum versi 2")
    data = draft_json(admin)
    renamed = data["xml"].replace(OLD_NAME, NEW_NAME)
    assert save(admin, renamed, data["forms"], data["token"]).status_code == 200

    while_drafting = start(redaktur, "Selama draf disunting")
    assert while_drafting["process_version"] == 1
    with app.app_context():
        instance = db.session.get(Instance, while_drafting["id"])
        assert instance.process_version.version == 1
        assert processes.model_of(instance.process_version).user_tasks["ambil_data"].name == \
            "Mengambil data dari data yang sudah terolah"

    assert admin.post(f"{BASE}/pasang", json={"notes": "v2"}).status_code == 201
    newer = start(redaktur, "Sesudah versi 2")
    assert newer["process_version"] == 2
    for instance_id in (older["id"], while_drafting["id"]):
        assert redaktur.get(f"/instances/{instance_id}").get_json()["process_version"] == 1


def test_a_stale_draft_is_shown_and_can_be_discarded(app, admin):
    data = draft_json(admin)
    assert save(admin, data["xml"].replace(OLD_NAME, NEW_NAME), data["forms"], data["token"]).status_code == 200
    assert "setelah draf ini terakhir disimpan" not in admin.get(BASE).get_data(as_text=True)
    with app.app_context():
        other = latest_xml(app).replace('name="Upload data pada media sosial atau website"', 'name="Unggah"')
        processes.deploy(other.encode(), user(app, "admin1"), notes="unggahan")
        db.session.commit()
    page = admin.get(BASE).get_data(as_text=True)
    assert "Versi 2 dipasang" in page and "setelah draf ini terakhir disimpan" in page
    response = admin.post(f"{BASE}/buang", follow_redirects=True)
    assert response.status_code == 200 and "Draf dibuang" in response.get_data(as_text=True)
    again = draft_json(admin)
    assert again["saved"] is False and 'name="Unggah"' in again["xml"]
    assert len(events(app, "process.draft_discard")) == 1


# The form editor ------------------------------------------------------------------------------

def test_the_form_list_names_the_tasks_that_use_each_form(admin):
    page = admin.get(f"{BASE}/formulir").get_data(as_text=True)
    assert 'data-form="periksa.json"' in page and "Apakah ada revisi? (pemeriksaan redaktur)" in page


def test_the_preview_is_drawn_by_the_task_pages_renderer(admin):
    data = draft_json(admin)
    schema = json.dumps(data["forms"]["periksa.json"])
    response = admin.post(f"{BASE}/pratinjau", json={"name": "periksa.json", "schema": schema})
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is True and body["errors"] == {}
    html = body["html"]
    assert 'data-field="keputusan"' in html and 'data-field="catatan_revisi"' in html
    assert 'name="keputusan" value="revisi"' in html  # the radio buttons of the task page
    # the editor page itself shows the same preview before any typing
    page = admin.get(f"{BASE}/formulir/periksa.json").get_data(as_text=True)
    assert 'data-field="keputusan"' in page and "js/form-editor.js" in page


@pytest.mark.parametrize("text, message", [
    ("{not json", "JSON tidak valid (baris 1, kolom 2)"),
    ('{"type": "object", "properties": {}}', "harus bertipe object dengan additionalProperties: false"),
    ('{"type": "object", "additionalProperties": false, "properties": {"a": {"type": "teks"}}}',
     "bukan JSON Schema yang valid"),
    ('[]', "tidak ditemukan"),
])
def test_the_preview_names_what_the_deploy_would_refuse(admin, text, message):
    body = admin.post(f"{BASE}/pratinjau", json={"name": "x.json", "schema": text}).get_json()
    assert body["valid"] is False and message in body["errors"]["schema"]


def test_saving_a_form_checks_it_keeps_the_typed_text_and_audits(app, admin):
    bad = '{"type": "object", "properties": {"catatan": {"type": "string"}}}'
    refused = admin.post(f"{BASE}/formulir/caption.json", data={"schema": bad})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "additionalProperties: false" in page and "&#34;catatan&#34;" in page
    assert not events(app, "process.draft_save")

    good = json.loads(json.dumps(draft_json(admin)["forms"]["caption.json"]))
    good["properties"]["sumber_foto"] = {"type": "string", "title": "Sumber foto"}
    saved = admin.post(f"{BASE}/formulir/caption.json", data={"schema": json.dumps(good)})
    assert saved.status_code == 302
    assert draft_json(admin)["forms"]["caption.json"]["properties"]["sumber_foto"]["title"] == "Sumber foto"
    [event] = events(app, "process.draft_save")
    assert event.detail["form"] == "caption.json"


def test_a_form_changed_meanwhile_is_not_overwritten(admin):
    page = admin.get(f"{BASE}/formulir/caption.json").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    schema = draft_json(admin)["forms"]["caption.json"]
    first = json.dumps({**schema, "title": "Satu"})
    second = json.dumps({**schema, "title": "Dua"})
    assert admin.post(f"{BASE}/formulir/caption.json", data={"schema": first, "token": token}).status_code == 302
    late = admin.post(f"{BASE}/formulir/caption.json", data={"schema": second, "token": token})
    assert late.status_code == 409 and "Dua" in late.get_data(as_text=True)
    assert draft_json(admin)["forms"]["caption.json"]["title"] == "Satu"


def test_new_forms_and_removing_unused_ones(app, admin):
    created = admin.post(f"{BASE}/formulir", data={"name": "verifikasi", "title": "Verifikasi"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/formulir/verifikasi.json")
    schema = draft_json(admin)["forms"]["verifikasi.json"]
    assert schema["title"] == "Verifikasi" and schema["additionalProperties"] is False
    with app.app_context():
        assert drafts.check_form("verifikasi.json", schema) == {}
    duplicate = admin.post(f"{BASE}/formulir", data={"name": "verifikasi.json"})
    assert duplicate.status_code == 422 and "nama sudah dipakai" in duplicate.get_data(as_text=True)
    bad_name = admin.post(f"{BASE}/formulir", data={"name": "../rahasia"})
    assert bad_name.status_code == 422

    in_use = admin.post(f"{BASE}/formulir/periksa.json/hapus", follow_redirects=True)
    assert "masih dipakai" in in_use.get_data(as_text=True)
    assert "periksa.json" in draft_json(admin)["forms"]
    removed = admin.post(f"{BASE}/formulir/verifikasi.json/hapus")
    assert removed.status_code == 302 and "verifikasi.json" not in draft_json(admin)["forms"]


def test_forms_of_a_draft_reach_the_version_that_uses_them(app, make_user):
    """A new form is deployed with the version whose task names it; forms no task uses are not."""
    make_user("admin1", "admin")
    with app.app_context():
        admin_user = user(app, "admin1")
        draft = drafts.load(PROCESS, admin_user)
        drafts.save_form(PROCESS, "periksa_ulang.json", json.dumps(drafts.starter_form("Periksa ulang")),
                         admin_user, create=True)
        drafts.save_form(PROCESS, "cadangan.json", json.dumps(drafts.starter_form()), admin_user, create=True)
        draft = drafts.load(PROCESS, admin_user)
        # The new form decides nothing, so the step no longer names the fields of a decision.
        xml = without_declared_decisions(draft.bpmn_xml.replace('value="periksa.json"', 'value="periksa_ulang.json"'))
        drafts.save(PROCESS, xml, draft.forms, admin_user, base=drafts.token(draft))
        version = drafts.deploy(PROCESS, admin_user, notes="formulir pemeriksaan baru")
        db.session.commit()
        assert version.version == 2
        assert version.forms["periksa_ulang.json"]["title"] == "Periksa ulang"
        assert "cadangan.json" not in version.forms and "periksa.json" not in version.forms
        with pytest.raises(Invalid):
            drafts.save_form(PROCESS, "a/b.json", "{}", admin_user, create=True)
        with pytest.raises(Conflict):
            drafts.save(PROCESS, xml, {}, admin_user, base="0.0")
