"""The modeler in a real browser: the shipped process opened in bpmn-js, a task renamed in our
properties panel, validated and deployed as version 2; a new instance runs on version 2 while
an older one stays on version 1; a model with a task outside any lane shows the error on that
task. And the panel's writing: task properties created from nothing, the condition builder."""
from __future__ import annotations

import re

import pytest
from lxml import etree
from playwright.sync_api import expect
from support.sop import PROCESS, start

from app.extensions import db
from app.workflow import processes
from app.workflow.models import ProcessVersion

pytestmark = pytest.mark.browser

BASE = f"/admin/proses/{PROCESS}/modeler"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
NOT_IN_LANE = "tugas pengguna harus berada di lajur yang dipetakan ke peran"
NEW_NAME = "Mengambil data terolah dari katalog"


def open_modeler(page):
    page.goto(BASE)
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-rendered", "true")


def shape(page, element_id):
    return page.locator(f'#modeler-canvas .djs-element[data-element-id="{element_id}"]')


def semantics(xml: str) -> dict[str, dict]:
    """Per element id: its name, spiffworkflow properties, documentation and condition."""
    root = etree.fromstring(xml.encode())
    found = {}
    for element in root.iter(f"{{{NS['bpmn']}}}*"):
        if not element.get("id") or element.tag.endswith(("definitions", "collaboration")):
            continue
        props = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
        found[element.get("id")] = {
            "name": element.get("name"),
            "properties": [(p.get("name"), p.get("value")) for p in props],
            "documentation": element.xpath("string(./bpmn:documentation)", namespaces=NS).strip(),
            "condition": element.xpath("string(./bpmn:conditionExpression)", namespaces=NS).strip(),
            "lane_refs": sorted(r.text for r in element.xpath("./bpmn:flowNodeRef", namespaces=NS)),
        }
    return found


def version_xml(app, number: int) -> str:
    with app.app_context():
        return db.session.query(ProcessVersion).filter_by(process_id=PROCESS, version=number).one().bpmn_xml


def save_draft_xml(page, change) -> None:
    """Change the draft's XML through the modeler's own endpoint, as the signed-in admin."""
    draft = page.request.get(f"{BASE}/draf.json", headers={"Accept": "application/json"}).json()
    xml = change(draft["xml"])
    assert xml != draft["xml"]
    csrf = page.locator("#modeler-canvas").get_attribute("data-csrf")
    response = page.request.post(f"{BASE}/draf", headers={"X-CSRFToken": csrf, "Accept": "application/json"},
                                 data={"xml": xml, "forms": draft["forms"], "token": draft["token"]})
    assert response.status == 200, response.text()


@pytest.mark.slow
def test_rename_validate_deploy_then_instances_and_a_task_outside_any_lane(browse, app, make_user):
    redaktur = make_user("redaktur1", "redaktur")
    make_user("admin1", "admin")
    older = start(redaktur, "Dimulai pada versi 1")
    assert older["process_version"] == 1

    page = browse("admin1").page
    open_modeler(page)

    # Select the task on the canvas; the panel shows what the application knows of it.
    shape(page, "ambil_data").click()
    expect(page.locator("#p-id")).to_have_text("ambil_data")
    expect(page.get_by_label("Lajur (pelaksana)")).to_have_value("Tim Desain")
    expect(page.get_by_label("Formulir", exact=True)).to_have_value("ambil_data.json")
    expect(page.get_by_label("Standar waktu (hari kerja)")).to_have_value("1")
    expect(page.get_by_label("Persyaratan / Kelengkapan")).to_have_value("Data Terolah")
    expect(page.get_by_label("Output")).to_have_value("Data Terolah Terpilih")
    expect(page.get_by_label("Keterangan")).to_have_value("Data terolah menggunakan SOP Pengolahan Data")

    # Rename it in the panel; the diagram follows.
    name = page.get_by_label("Nama", exact=True)
    name.fill(NEW_NAME)
    name.press("Tab")
    expect(shape(page, "ambil_data")).to_contain_text("katalog")
    expect(page.locator("#modeler-status")).to_have_text("Ada perubahan yang belum disimpan.")

    page.get_by_role("button", name="Validasi").click()
    expect(page.locator("#modeler-valid")).to_have_text("Model valid: siap dipasang.")
    expect(page.locator("#modeler-canvas .has-problem")).to_have_count(0)

    page.get_by_label("Catatan perubahan").fill("Nama langkah 3 diperjelas")
    page.get_by_role("button", name="Pasang sebagai versi baru").click()
    deployed = page.locator("#modeler-deployed")
    expect(deployed).to_contain_text("Versi 2 dipasang")
    expect(deployed).to_have_attribute("data-version", "2")
    expect(deployed.get_by_role("link", name="Lihat daftar versi")).to_have_attribute(
        "href", re.compile(rf"^/admin/proses/{PROCESS}"))

    # Version 2 is version 1 with the one name changed: every property, documentation,
    # condition and lane of the model survived bpmn-js's import and export.
    before, after = semantics(version_xml(app, 1)), semantics(version_xml(app, 2))
    assert after["ambil_data"]["name"] == NEW_NAME
    assert before["ambil_data"]["name"] == "Mengambil data dari data yang sudah terolah"
    after["ambil_data"]["name"] = before["ambil_data"]["name"]
    assert after == before
    with app.app_context():
        latest = processes.latest(PROCESS)
        assert latest.version == 2 and latest.notes == "Nama langkah 3 diperjelas"
        assert processes.model_of(latest).user_tasks["ambil_data"].name == NEW_NAME
        assert latest.forms == db.session.query(ProcessVersion).filter_by(process_id=PROCESS, version=1).one().forms

    # New work runs on version 2; the older instance stays on version 1.
    newer = start(redaktur, "Dimulai pada versi 2")
    assert newer["process_version"] == 2
    assert redaktur.get(f"/instances/{older['id']}").get_json()["process_version"] == 1
    assert redaktur.get(f"/instances/{newer['id']}").get_json()["process_version"] == 2

    # A draft whose task sits in no lane: Validasi marks that task's shape and lists why.
    save_draft_xml(page, lambda xml: re.sub(r"\s*<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>", "", xml))
    open_modeler(page)
    page.get_by_role("button", name="Validasi").click()
    problems = page.locator("#modeler-problems")
    expect(problems).to_contain_text(NOT_IN_LANE)
    expect(problems.locator("li")).to_have_count(1)
    expect(problems.locator('li[data-element="ambil_data"]')).to_contain_text(NEW_NAME)
    expect(shape(page, "ambil_data")).to_have_class(re.compile(r"\bhas-problem\b"))
    expect(page.locator("#modeler-canvas .has-problem")).to_have_count(1)
    badge = page.locator('#modeler-canvas .modeler-problem[data-problem-for="ambil_data"]')
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("title", NOT_IN_LANE)
    # The badge sits on the task's shape.
    box, mark = shape(page, "ambil_data").bounding_box(), badge.bounding_box()
    assert box["x"] <= mark["x"] + mark["width"] / 2 <= box["x"] + box["width"] + 12
    assert box["y"] - 15 <= mark["y"] <= box["y"] + box["height"]
    # The panel of that task says it too, and deploying is refused with the same problem.
    problems.get_by_role("button", name=re.compile("ambil_data")).click()
    expect(page.locator("#p-id")).to_have_text("ambil_data")
    expect(page.locator("#p-problems")).to_have_text(NOT_IN_LANE)
    expect(page.get_by_label("Lajur (pelaksana)")).to_have_value("(tidak berada di lajur)")
    page.get_by_role("button", name="Pasang sebagai versi baru").click()
    expect(page.locator("#modeler-problems")).to_contain_text(NOT_IN_LANE)
    expect(shape(page, "ambil_data")).to_have_class(re.compile(r"\bhas-problem\b"))
    with app.app_context():
        assert processes.latest(PROCESS).version == 2


@pytest.mark.slow
def test_the_panel_writes_task_properties_and_gateway_conditions(browse, app, make_user):
    make_user("admin1", "admin")
    page = browse("admin1").page
    open_modeler(page)
    # A task without any properties yet: the panel has to create them.
    save_draft_xml(page, lambda xml: re.sub(
        r'(<bpmn:userTask id="caption"[^>]*>.*?</bpmn:documentation>)\s*'
        r'<bpmn:extensionElements>.*?</bpmn:extensionElements>',
        r"\1", xml, flags=re.S))
    open_modeler(page)
    page.get_by_role("button", name="Validasi").click()
    expect(page.locator('#modeler-problems li[data-element="caption"]')).to_be_visible()

    shape(page, "caption").click()
    expect(page.get_by_label("Formulir", exact=True)).to_have_value("")
    page.get_by_label("Formulir", exact=True).select_option("caption.json")
    days = page.get_by_label("Standar waktu (hari kerja)")
    days.fill("1.5")
    days.press("Tab")
    output = page.get_by_label("Output")
    output.fill("Desain dengan caption")
    output.press("Tab")
    expect(page.get_by_role("link", name="Sunting formulir ini")).to_have_attribute(
        "href", f"{BASE}/formulir/caption.json")

    # The condition builder: the current condition read back, then a new one written.
    page.locator('#modeler-canvas [data-element-id="flow_revisi_label"]').click()
    expect(page.locator("#p-id")).to_have_text("flow_revisi")
    expect(page.locator("#c-current")).to_have_text('keputusan == "revisi"')
    expect(page.get_by_label("Isian formulir")).to_have_value("keputusan")
    expect(page.get_by_label("Operator")).to_have_value("==")
    expect(page.get_by_label("Nilai", exact=True)).to_have_value("revisi")
    page.get_by_label("Operator").select_option("in")
    page.get_by_label("Nilai", exact=True).fill('revisi, ulang "lagi"')
    page.get_by_role("button", name="Terapkan kondisi").click()
    expect(page.locator("#c-current")).to_have_text('keputusan in ["revisi", "ulang \\"lagi\\""]')
    page.get_by_label("Nilai", exact=True).fill("")
    page.get_by_role("button", name="Terapkan kondisi").click()
    expect(page.locator("#c-error")).to_have_text("Isi nilainya.")

    page.get_by_role("button", name="Validasi").click()
    expect(page.locator("#modeler-valid")).to_have_text("Model valid: siap dipasang.")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator("#modeler-status")).to_have_text("Draf disimpan.")

    saved = page.request.get(f"{BASE}/draf.json", headers={"Accept": "application/json"}).json()
    model = semantics(saved["xml"])
    assert model["caption"]["properties"] == [("formJsonSchemaFilename", "caption.json"),
                                              ("waktuHariKerja", "1.5"), ("output", "Desain dengan caption")]
    assert model["flow_revisi"]["condition"] == 'keputusan in ["revisi", "ulang \\"lagi\\""]'
    assert 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"' in saved["xml"]
    with app.app_context():
        parsed = processes.validate(saved["xml"].encode(), load_form=saved["forms"].get)
        assert parsed.user_tasks["caption"].hari_kerja == 1.5


@pytest.mark.slow
def test_the_form_editor_previews_as_the_task_page_draws_and_names_refusals(browse, app, make_user):
    make_user("admin1", "admin")
    page = browse("admin1").page
    page.goto(f"{BASE}/formulir")
    page.get_by_role("link", name="periksa.json").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("radio", name="Hasil disetujui")).to_be_visible()
    expect(preview.get_by_label("Catatan revisi")).to_be_visible()

    schema = page.get_by_label("JSON Schema formulir")
    text = schema.input_value()
    schema.fill(text.replace('"title": "Catatan revisi"', '"title": "Catatan untuk Tim Desain"'))
    expect(preview.get_by_label("Catatan untuk Tim Desain")).to_be_visible()
    expect(preview).to_have_attribute("data-state", "valid")
    expect(page.locator("#schema-error")).to_be_hidden()

    schema.fill(text.replace('"additionalProperties": false,', ""))
    expect(preview).to_have_attribute("data-state", "invalid")
    expect(page.locator("#schema-error")).to_contain_text("additionalProperties: false")
    schema.fill(text[:-3])
    expect(page.locator("#schema-error")).to_contain_text("JSON tidak valid")

    schema.fill(text.replace('"title": "Catatan revisi"', '"title": "Catatan untuk Tim Desain"'))
    expect(preview).to_have_attribute("data-state", "valid")
    page.get_by_role("button", name="Simpan ke draf").click()
    expect(page.get_by_role("status").filter(has_text="periksa.json disimpan di draf")).to_be_visible()
    draft = page.request.get(f"{BASE}/draf.json", headers={"Accept": "application/json"}).json()
    assert draft["forms"]["periksa.json"]["properties"]["catatan_revisi"]["title"] == "Catatan untuk Tim Desain"
