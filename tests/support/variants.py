"""Changed versions of the shipped process model "penyebarluasan_data", made by exact text
replacements of its BPMN, and instances walked through some of its steps through /api/v1."""
from __future__ import annotations

import re
from pathlib import Path

from .sop import complete, start, upload_design

SHIPPED = (Path(__file__).parents[2] / "processes" / "penyebarluasan_data.bpmn").read_text(encoding="utf-8")


def variant(*pairs: tuple[str, str], text: str = SHIPPED) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def without(pattern: str, text: str) -> str:
    """The text with one element (a regular expression over several lines) cut out."""
    result, count = re.subn(pattern, "", text, flags=re.S)
    assert count == 1, pattern
    return result


def without_declared_decisions(text: str = SHIPPED) -> str:
    """The model as deployed before steps declared their decision in properties."""
    result, count = re.subn(r'\s*<spiffworkflow:property name="(decisionField|reviseValue|reviseNotesField)"[^>]*/>',
                            "", text)
    assert count == 3
    return result


# (a) a task renamed
RENAMED = variant(('name="Memberi keterangan kalimat / caption"', 'name="Menulis caption"'))

# (b) a task added between ambil_data and desain, with its flows
ADDED = variant(
    ("<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>",
     "<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef><bpmn:flowNodeRef>cek_data</bpmn:flowNodeRef>"),
    ("    <!-- SOP baris 4 (juga",
     '    <bpmn:userTask id="cek_data" name="Memeriksa kelengkapan data">\n'
     "      <bpmn:extensionElements><spiffworkflow:properties>\n"
     '        <spiffworkflow:property name="formJsonSchemaFilename" value="ambil_data.json" />\n'
     '        <spiffworkflow:property name="waktuHariKerja" value="1" />\n'
     "      </spiffworkflow:properties></bpmn:extensionElements>\n"
     "      <bpmn:incoming>flow_3</bpmn:incoming>\n      <bpmn:outgoing>flow_3b</bpmn:outgoing>\n"
     "    </bpmn:userTask>\n    <!-- SOP baris 4 (juga"),
    ('<bpmn:sequenceFlow id="flow_3" sourceRef="ambil_data" targetRef="desain" />',
     '<bpmn:sequenceFlow id="flow_3" sourceRef="ambil_data" targetRef="cek_data" />\n'
     '    <bpmn:sequenceFlow id="flow_3b" sourceRef="cek_data" targetRef="desain" />'),
    ("<bpmn:incoming>flow_3</bpmn:incoming>\n      <bpmn:incoming>flow_revisi</bpmn:incoming>",
     "<bpmn:incoming>flow_3b</bpmn:incoming>\n      <bpmn:incoming>flow_revisi</bpmn:incoming>"),
    ('<bpmndi:BPMNShape id="desain_di"',
     '<bpmndi:BPMNShape id="cek_data_di" bpmnElement="cek_data"><dc:Bounds x="545" y="280" width="40" height="30" />'
     '</bpmndi:BPMNShape>\n      <bpmndi:BPMNEdge id="flow_3b_di" bpmnElement="flow_3b">'
     '<di:waypoint x="585" y="295" /><di:waypoint x="640" y="320" /></bpmndi:BPMNEdge>\n'
     '      <bpmndi:BPMNShape id="desain_di"'),
)

# (c) a task removed: ambil_data goes, tentukan_data leads straight to desain
REMOVED = without(r'<bpmndi:BPMNEdge id="flow_3_di".*?</bpmndi:BPMNEdge>', without(
    r'<bpmndi:BPMNShape id="ambil_data_di".*?</bpmndi:BPMNShape>', without(
        r'<bpmn:userTask id="ambil_data".*?</bpmn:userTask>', variant(
            ("<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>", ""),
            ('<bpmn:sequenceFlow id="flow_2" sourceRef="tentukan_data" targetRef="ambil_data" />',
             '<bpmn:sequenceFlow id="flow_2" sourceRef="tentukan_data" targetRef="desain" />'),
            ('<bpmn:sequenceFlow id="flow_3" sourceRef="ambil_data" targetRef="desain" />', ""),
            ("<bpmn:incoming>flow_3</bpmn:incoming>\n      <bpmn:incoming>flow_revisi",
             "<bpmn:incoming>flow_2</bpmn:incoming>\n      <bpmn:incoming>flow_revisi"),
        ))))

STEP_DATA = {
    "ambil_data": {"data_terpilih": "Jumlah penduduk per kecamatan, 2025"},
    "caption": {"caption": "Penduduk Magetan 2025 per kecamatan."},
    "periksa": {"keputusan": "disetujui"},
    "publikasi": {"kanal": ["website"]},
}


def walk(people, instance_id, steps):
    """Complete the given steps of an instance in order, each by its lane's person."""
    state = None
    for step in steps:
        if step == "tentukan_data":
            data = {"dataset_id": people["dataset"]["id"]}
        elif step == "desain":
            data = {"desain": upload_design(people["desain"])}
        else:
            data = STEP_DATA[step]
        who = people["redaktur"] if step in ("tentukan_data", "periksa") else people["desain"]
        state = complete(who, instance_id, step, data)
    return state


def started(people, title, steps=()):
    instance = start(people["redaktur"], title)
    walk(people, instance["id"], steps)
    return instance["id"]
