"""Deploying process versions: refusals name the element and change nothing; valid models
become new immutable versions while running work stays on its own."""
from __future__ import annotations

from pathlib import Path

import pytest
from support.catalog import upload_dataset
from support.sop import PROCESS, complete, start

SHIPPED = (Path(__file__).parent.parent / "processes" / "penyebarluasan_data.bpmn").read_text(encoding="utf-8")
SCRIPT_TASK = ('<bpmn:scriptTask id="skrip_jahat" name="Skrip">'
               '<bpmn:script>import os; os.system("rm -rf /")</bpmn:script></bpmn:scriptTask>')


def variant(old: str, new: str, text: str = SHIPPED) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


REFUSED = {
    "malformed XML": (SHIPPED[: len(SHIPPED) // 2], "bpmn"),
    "external entity": (variant(
        '<bpmn:definitions ',
        '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions ',
        variant('name="Penyebarluasan Data" isExecutable', 'name="&xxe;" isExecutable')), "bpmn"),
    "script task": (variant("</bpmn:process>", SCRIPT_TASK + "</bpmn:process>"), "skrip_jahat"),
    "pre-script": (variant(
        '<spiffworkflow:properties>\n'
        '          <spiffworkflow:property name="formJsonSchemaFilename" value="ambil_data.json" />',
        '<spiffworkflow:preScript>import os</spiffworkflow:preScript><spiffworkflow:properties>\n'
        '          <spiffworkflow:property name="formJsonSchemaFilename" value="ambil_data.json" />'), "ambil_data"),
    "unknown lane role": (variant('name="role" value="desain"', 'name="role" value="tukang"'), "lane_tim_desain"),
    "task outside any lane": (variant("<bpmn:flowNodeRef>caption</bpmn:flowNodeRef>", ""), "caption"),
    "missing form": (variant('value="ambil_data.json"', 'value="tidak_ada.json"'), "ambil_data"),
    "unsafe condition": (variant('keputusan == "revisi"', '__import__("os").system("id")'), "flow_revisi"),
    "other process id": (SHIPPED.replace('id="penyebarluasan_data"', 'id="proses_lain"')
                         .replace('processRef="penyebarluasan_data"', 'processRef="proses_lain"'), "bpmn"),
}


def deploy(api, xml: str, process=PROCESS):
    return api.client.post(f"/api/v1/processes/{process}/versions", data=xml.encode("utf-8"),
                           content_type="application/xml", headers={"Authorization": f"Bearer {api.token}"})


def listed(api, process=PROCESS):
    return next(p for p in api.get("/processes").get_json()["items"] if p["id"] == process)


def versions(api):
    return [v["version"] for v in listed(api)["versions"]]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_models_name_the_element_and_change_nothing(make_user, case):
    admin = make_user("admin1", "admin")
    xml, element = REFUSED[case]
    response = deploy(admin, xml)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert element in error["fields"], error
    assert versions(admin) == [1]


def test_the_entity_is_never_expanded(make_user):
    admin = make_user("admin1", "admin")
    response = deploy(admin, REFUSED["external entity"][0])
    assert "root:" not in response.get_data(as_text=True)


def test_oversized_model_is_413(app_factory, make_user):
    app = app_factory(MAX_BPMN_KB=4)
    admin_token = make_user("admin1", "admin").token
    response = app.test_client().post(f"/api/v1/processes/{PROCESS}/versions", data=SHIPPED.encode(),
                                      content_type="application/xml",
                                      headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_new_version_leaves_running_instances_on_theirs(make_user):
    admin = make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    dataset = upload_dataset(admin)
    old = start(redaktur, "Dimulai pada versi 1")
    renamed = variant('name="Menentukan data yang akan dipublikasikan"', 'name="Memilih data untuk publikasi"')

    response = deploy(admin, renamed)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 2
    assert versions(admin) == [1, 2]

    new = start(redaktur, "Dimulai pada versi 2")
    assert new["process_version"] == 2 and new["tasks"][0]["name"] == "Memilih data untuk publikasi"
    assert old["process_version"] == 1
    state = complete(redaktur, old["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    assert state["process_version"] == 1
    assert [t["bpmn_id"] for t in state["tasks"]] == ["tentukan_data", "ambil_data"]
    # The version record is what ran: its XML is stored, its hash listed.
    shown = listed(admin)["versions"]
    assert shown[0]["running_instances"] == 1 and shown[1]["running_instances"] == 1
    assert shown[0]["sha256"] != shown[1]["sha256"]


def test_restart_does_not_put_the_shipped_model_back_over_a_newer_one(app, make_user):
    admin = make_user("admin1", "admin")
    renamed = variant('name="Menentukan data yang akan dipublikasikan"', 'name="Memilih data untuk publikasi"')
    assert deploy(admin, renamed).status_code == 201
    result = app.test_cli_runner().invoke(args=["deploy"])
    assert result.exit_code == 0 and "tidak berubah" in result.output, result.output
    assert versions(admin) == [1, 2]
