"""The shipped complaint process (processes/penanganan_pengaduan.bpmn) and its forms: the app's
own validator accepts them, the contract (ids, lanes, roles, days, effect) holds, the forms are
closed and demand what they should, both ways through the gateway run, and the diagram is
complete (a shape per node, an orthogonal edge per flow meeting the borders of its shapes)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from app.core.models.users import ROLES as APP_ROLES
from app.engine import complete_task, parse_model, start_workflow

ROOT = Path(__file__).parent.parent
XML = (ROOT / "processes" / "penanganan_pengaduan.bpmn").read_bytes()
# The roles the application knows: the lanes must map to these.
ROLES = set(APP_ROLES)
EFFECTS = {"publish", "revise"}
FORMS = ("pengaduan_registrasi.json", "pengaduan_verifikasi.json", "pengaduan_koreksi.json",
         "pengaduan_jawab.json", "pengaduan_tutup.json")
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODES = ("startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent",
              "userTask", "task", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")


def load_form(name):
    path = ROOT / "forms" / name
    return json.loads(path.read_text()) if path.exists() else None


def form(name):
    return Draft202012Validator(load_form(name))


@pytest.fixture(scope="module")
def model():
    return parse_model(XML, roles=ROLES, effects=EFFECTS, load_form=load_form, max_bytes=1 << 20)


def test_model_carries_the_contract(model):
    assert model.process_id == "penanganan_pengaduan" and model.name == "Penanganan Pengaduan Data"
    assert model.hari_kerja == 5
    assert model.properties["keterangan"] == ("Pengaduan masyarakat atas data dan publikasi, ditangani Bidang "
                                              "Statistik dan Persandian Diskominfo Kabupaten Magetan")
    assert model.lanes == {"Petugas Pengaduan": "petugas_pengaduan", "Redaktur": "redaktur"}
    assert model.start_role == "petugas_pengaduan"
    assert {t: (d.name, d.lane, d.role, d.form, d.hari_kerja) for t, d in model.user_tasks.items()} == {
        "verifikasi": ("Memverifikasi pengaduan", "Petugas Pengaduan", "petugas_pengaduan",
                       "pengaduan_verifikasi.json", 1),
        "koreksi": ("Mengoreksi publikasi", "Redaktur", "redaktur", "pengaduan_koreksi.json", 2),
        "jawab": ("Menjawab pengadu", "Petugas Pengaduan", "petugas_pengaduan", "pengaduan_jawab.json", 1),
        "tutup": ("Menutup pengaduan", "Petugas Pengaduan", "petugas_pengaduan", "pengaduan_tutup.json", 1),
    }
    assert model.user_tasks["koreksi"].effect == "revise"
    assert [t for t, d in model.user_tasks.items() if d.effect] == ["koreksi"]
    for task in model.user_tasks.values():
        assert task.properties["keterangan"].strip() and task.properties["output"].strip(), task.bpmn_id
    assert set(model.forms) == {d.form for d in model.user_tasks.values()} | {model.start_form}
    assert model.start_form == "pengaduan_registrasi.json"  # the form a complaint is filed with


def test_elements_and_conditions_are_as_agreed():
    root = etree.fromstring(XML)
    process = root.find("bpmn:process", NS)
    ids = {e.get("id"): etree.QName(e).localname for e in process if e.get("id")}
    assert ids["pengaduan_diterima"] == "startEvent" and ids["pengaduan_selesai"] == "endEvent"
    assert ids["gateway_tindak_lanjut"] == "exclusiveGateway"
    names = {e.get("id"): e.get("name") for e in process if e.get("id")}
    assert names["pengaduan_diterima"] == "Pengaduan diterima"
    assert names["pengaduan_selesai"] == "Pengaduan selesai"
    assert names["gateway_tindak_lanjut"] == "Perlu koreksi?"
    lanes = {lane.get("id"): (lane.get("name"), [r.text for r in lane.findall("bpmn:flowNodeRef", NS)])
             for lane in process.iter(f"{{{NS['bpmn']}}}lane")}
    assert lanes["lane_redaktur"] == ("Redaktur", ["koreksi"])
    assert lanes["lane_petugas_pengaduan"][0] == "Petugas Pengaduan"
    assert "pengaduan_diterima" in lanes["lane_petugas_pengaduan"][1]
    out = {(f.get("sourceRef"), f.get("targetRef")): (f.findtext("bpmn:conditionExpression", None, NS) or "").strip()
           for f in process.findall("bpmn:sequenceFlow", NS)}
    assert out == {
        ("pengaduan_diterima", "verifikasi"): "",
        ("verifikasi", "gateway_tindak_lanjut"): "",
        ("gateway_tindak_lanjut", "koreksi"): 'keputusan == "koreksi"',
        ("gateway_tindak_lanjut", "jawab"): 'keputusan == "jawab"',
        ("koreksi", "jawab"): "",
        ("jawab", "tutup"): "",
        ("tutup", "pengaduan_selesai"): "",
    }
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("name") == "Penanganan Pengaduan Data"
    assert participant.get("processRef") == "penanganan_pengaduan"


def run(model, state, step, data):
    [ready] = [t for t in state.ready if t.bpmn_id == step]
    return complete_task(model.process_id, model.sha256, model.xml, state.state, ready.id, data)


START = {"ticket": "ADU-0001", "nama": "Warga", "kontak": "warga@example.org",
         "pesan": "Angka penduduk Kecamatan Plaosan tertukar.", "publication_id": 1, "subjek": "Publikasi"}


@pytest.mark.parametrize("decision, path", [
    ("koreksi", ["verifikasi", "koreksi", "jawab", "tutup"]),
    ("jawab", ["verifikasi", "jawab", "tutup"]),
])
def test_both_ways_through_the_gateway(model, decision, path):
    state = start_workflow(model.process_id, model.sha256, model.xml, START)
    data = {
        "verifikasi": {"kategori": "data_salah", "keputusan": decision, "catatan_verifikasi": "Benar."},
        "koreksi": {"catatan_koreksi": "Angka Plaosan diperbaiki."},
        "jawab": {"jawaban": "Terima kasih, sudah kami tindak lanjuti."},
        "tutup": {"hasil": "selesai"},
    }
    for step in path:
        assert [t.bpmn_id for t in state.ready] == [step] and not state.completed
        state = run(model, state, step, data[step])
    assert state.completed and state.ready == ()


# Forms --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FORMS)
def test_forms_are_closed_objects(name):
    schema = load_form(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["title"].strip() and schema["description"].strip()
    for prop in schema["properties"].values():
        assert prop["title"].strip()
        if "enum" in prop:
            assert len(prop["x-enum-titles"]) == len(prop["enum"])
    assert schema["required"] and not form(name).is_valid({})
    assert not form(name).is_valid({"tidak_dikenal": "x"})


def test_registration_form():
    schema = load_form("pengaduan_registrasi.json")
    assert schema["required"] == ["nama", "kontak", "pesan"]
    assert schema["properties"]["pesan"]["title"] == "Masalah yang ditemukan"
    assert schema["properties"]["pesan"]["x-widget"] == "textarea"
    assert "e-mail" in schema["properties"]["kontak"]["description"]
    v = form("pengaduan_registrasi.json")
    ok = {"nama": "Warga", "kontak": "0812", "pesan": "Tautan unduhan rusak."}
    assert v.is_valid(ok)
    assert v.is_valid({**ok, "publication_id": 3, "dataset_id": 7})
    assert not v.is_valid({**ok, "nama": "   "})
    assert not v.is_valid({**ok, "nama": "x" * 121})
    assert not v.is_valid({**ok, "kontak": "ab"})
    assert not v.is_valid({**ok, "kontak": "x" * 201})
    assert not v.is_valid({**ok, "pesan": "pendek"})
    assert not v.is_valid({**ok, "pesan": "x" * 4001})
    assert not v.is_valid({**ok, "publication_id": "3"})
    assert not v.is_valid({**ok, "ticket": "ADU-1"})
    for field in ("nama", "kontak", "pesan"):
        assert not v.is_valid({k: val for k, val in ok.items() if k != field})


def test_verification_form():
    schema = load_form("pengaduan_verifikasi.json")
    assert schema["x-prefill"] is False
    assert set(schema["required"]) == {"kategori", "keputusan", "catatan_verifikasi"}
    keputusan = schema["properties"]["keputusan"]
    assert keputusan["enum"] == ["koreksi", "jawab"] and keputusan["x-widget"] == "radio"
    assert keputusan["x-enum-titles"] == ["Perlu koreksi publikasi — teruskan ke Redaktur", "Cukup dijawab"]
    assert schema["properties"]["kategori"]["enum"] == [
        "data_salah", "data_tidak_lengkap", "tautan_atau_berkas_rusak", "lainnya"]
    v = form("pengaduan_verifikasi.json")
    ok = {"kategori": "data_salah", "keputusan": "koreksi", "catatan_verifikasi": "Angka tertukar."}
    assert v.is_valid(ok) and v.is_valid({**ok, "keputusan": "jawab", "kategori": "lainnya"})
    assert not v.is_valid({k: val for k, val in ok.items() if k != "catatan_verifikasi"})
    assert not v.is_valid({**ok, "catatan_verifikasi": " \n "})
    assert not v.is_valid({**ok, "keputusan": "revisi"})
    assert not v.is_valid({**ok, "kategori": "entah"})


def test_correction_answer_and_closing_forms():
    koreksi = form("pengaduan_koreksi.json")
    assert koreksi.is_valid({"catatan_koreksi": "Angka diperbaiki."})
    assert not koreksi.is_valid({}) and not koreksi.is_valid({"catatan_koreksi": "  "})
    assert not koreksi.is_valid({"catatan_koreksi": "x" * 2001})
    assert load_form("pengaduan_koreksi.json")["properties"]["catatan_koreksi"]["description"] == (
        "Apa yang dikoreksi; tampil di portal bersama versi terkoreksi.")

    jawab = form("pengaduan_jawab.json")
    assert jawab.is_valid({"jawaban": "Terima kasih."})
    assert not jawab.is_valid({}) and not jawab.is_valid({"jawaban": "   "})
    assert not jawab.is_valid({"jawaban": "x" * 4001})

    schema = load_form("pengaduan_tutup.json")
    assert schema["x-prefill"] is False and schema["required"] == ["hasil"]
    assert schema["properties"]["hasil"]["x-widget"] == "radio"
    tutup = form("pengaduan_tutup.json")
    assert tutup.is_valid({"hasil": "selesai"})
    assert tutup.is_valid({"hasil": "tidak_dapat_ditindaklanjuti", "catatan_penutupan": "Di luar kewenangan."})
    assert not tutup.is_valid({"catatan_penutupan": "x"}) and not tutup.is_valid({"hasil": "batal"})
    assert not tutup.is_valid({"hasil": "selesai", "catatan_penutupan": "x" * 2001})


# The diagram --------------------------------------------------------------------------------

def _bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _on_border(point, bounds):
    (px, py), (x, y, w, h) = point, bounds
    inside = x <= px <= x + w and y <= py <= y + h
    return inside and (px in (x, x + w) or py in (y, y + h))


def test_diagram_is_complete_and_orthogonal():
    root = etree.fromstring(XML)
    process = root.find("bpmn:process", NS)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    shapes: dict[str, list] = {}
    for shape in plane.findall("bpmndi:BPMNShape", NS):
        shapes.setdefault(shape.get("bpmnElement"), []).append(shape)
    edges: dict[str, list] = {}
    for edge in plane.findall("bpmndi:BPMNEdge", NS):
        edges.setdefault(edge.get("bpmnElement"), []).append(edge)

    nodes = [e for e in process if etree.QName(e).localname in FLOW_NODES]
    flows = process.findall("bpmn:sequenceFlow", NS)
    lanes = list(process.iter(f"{{{NS['bpmn']}}}lane"))
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    for element in [*nodes, *lanes, participant]:
        assert len(shapes.get(element.get("id"), [])) == 1, element.get("id")
    assert set(shapes) == {e.get("id") for e in [*nodes, *lanes, participant]}
    assert set(edges) == {f.get("id") for f in flows}

    box = {i: _bounds(s[0]) for i, s in shapes.items()}
    # Lanes: horizontal bands that tile the pool, each holding its nodes.
    px, py, pw, ph = box[participant.get("id")]
    bands = sorted(box[lane.get("id")] for lane in lanes)
    assert bands[0][1] == py and bands[-1][1] + bands[-1][3] == py + ph
    for above, below in zip(bands, bands[1:], strict=False):
        assert above[1] + above[3] == below[1]
    for lane in lanes:
        lx, ly, lw, lh = box[lane.get("id")]
        assert lx > px and lx + lw == px + pw
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = box[ref.text]
            assert lx < x and x + w < lx + lw and ly < y and y + h < ly + lh, ref.text
    # Nodes do not overlap.
    node_boxes = [(n.get("id"), box[n.get("id")]) for n in nodes]
    for i, (a, (ax, ay, aw, ah)) in enumerate(node_boxes):
        for b, (bx, by, bw, bh) in node_boxes[i + 1:]:
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)

    for flow in flows:
        [edge] = edges[flow.get("id")]
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(points) >= 2, flow.get("id")
        assert _on_border(points[0], box[flow.get("sourceRef")]), flow.get("id")
        assert _on_border(points[-1], box[flow.get("targetRef")]), flow.get("id")
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, flow.get("id")
