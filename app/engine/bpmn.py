"""Safe loading and validation of BPMN models, and the parsed specs cached per version.

A model is refused before SpiffWorkflow sees it unless it is small, well-formed XML without
a DOCTYPE (so no entities) and valid against the BPMN 2.0 XSD; then our own rules apply:
no code anywhere (script tasks, pre/post scripts, service calls), every user task in a lane
that maps to a role and carrying a valid form, every gateway condition accepted by the safe
evaluator.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from .expressions import ExpressionError, compile_condition
from .xml import NS, DeployError, Problem, parse_xml, properties

# Elements whose execution would run code or reach other systems.
FORBIDDEN_ELEMENTS = {
    "scriptTask": "tugas skrip (scriptTask) tidak diizinkan",
    "serviceTask": "tugas layanan (serviceTask) tidak diizinkan",
    "businessRuleTask": "tugas aturan bisnis (businessRuleTask) tidak didukung",
    "callActivity": "callActivity tidak didukung",
    "sendTask": "sendTask tidak didukung",
    "receiveTask": "receiveTask tidak didukung",
    "manualTask": "manualTask tidak didukung: gunakan userTask",
}
# The form property that keeps a field from everyone but the roles it names (app.policy applies it).
VISIBLE_TO = "x-visible-to"
FORBIDDEN_EXTENSIONS = ("preScript", "postScript", "serviceTaskOperator", "calledDecisionId")


@dataclass(frozen=True)
class Decision:
    """A step whose form decides whether earlier work comes back: the field that holds the
    decision, the value that sends the work back, and the field with the notes for those who
    redo it (task properties decisionField, reviseValue, reviseNotesField)."""

    field: str
    revise_value: str
    notes_field: str

    def sends_back(self, data: Mapping[str, Any] | None) -> bool:
        return (data or {}).get(self.field) == self.revise_value

    def notes(self, data: Mapping[str, Any] | None) -> str | None:
        notes = (data or {}).get(self.notes_field) if self.sends_back(data) else None
        return notes if isinstance(notes, str) else None


@dataclass(frozen=True)
class UserTaskDef:
    bpmn_id: str
    name: str
    lane: str
    role: str
    form: str
    hari_kerja: float
    effect: str | None
    properties: Mapping[str, str] = field(default_factory=dict)
    documentation: str = ""
    decision: Decision | None = None


@dataclass(frozen=True)
class ProcessModel:
    process_id: str
    name: str
    xml: str
    sha256: str
    hari_kerja: float
    properties: Mapping[str, str]
    lanes: Mapping[str, str]  # lane name -> role
    user_tasks: Mapping[str, UserTaskDef]
    start_role: str | None  # the role of the lane that holds the start event: who may start it
    forms: Mapping[str, dict[str, Any]]  # form file name -> JSON Schema
    start_form: str | None = None  # the form of the data a run starts with (start event's property)

    def decisions(self) -> dict[str, Decision]:
        """The steps that decide whether work comes back, by BPMN id."""
        return {bpmn_id: t.decision for bpmn_id, t in self.user_tasks.items() if t.decision is not None}


def _hari_kerja(raw: str | None, element_id: str, problems: list[Problem]) -> float:
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        value = None
    if value is None or not value > 0:
        problems.append(Problem(element_id, "waktuHariKerja harus berupa angka lebih dari 0"))
        return 1.0
    return value


# Versions deployed before steps declared their decision kept to this one convention; their
# runs, and the statistics over them, still read it.
EARLIER_DECISION = Decision(field="keputusan", revise_value="revisi", notes_field="catatan_revisi")


def _fields(schema: Any) -> dict[str, Any]:
    fields = schema.get("properties") if isinstance(schema, dict) else None
    return fields if isinstance(fields, dict) else {}


def _offers(fields: Mapping[str, Any], name: str, value: str) -> bool:
    field = fields.get(name)
    return isinstance(field, dict) and value in (field.get("enum") or [])


def _follows(decision: Decision, schema: Any) -> bool:
    fields = _fields(schema)
    return _offers(fields, decision.field, decision.revise_value) and decision.notes_field in fields


def _decision(props: Mapping[str, str], schema: Any, element_id: str, problems: list[Problem]) -> Decision | None:
    """The step's decision, checked against its form: the decision field offers the value that
    sends work back, and the notes field exists. A step that declares none decides by the earlier
    convention when its form follows it."""
    names = ("decisionField", "reviseValue", "reviseNotesField")
    given = [props.get(name) or "" for name in names]
    if not any(given):
        return EARLIER_DECISION if _follows(EARLIER_DECISION, schema) else None
    if not all(given):
        problems.append(Problem(element_id, "keputusan harus memakai ketiga properti: " + ", ".join(names)))
        return None
    decision = Decision(*given)
    fields = _fields(schema)
    if not _offers(fields, decision.field, decision.revise_value):
        problems.append(Problem(element_id, f"isian '{decision.field}' formulir harus menawarkan "
                                            f"'{decision.revise_value}'"))
    if decision.notes_field not in fields:
        problems.append(Problem(element_id, f"formulir tidak memiliki isian '{decision.notes_field}'"))
    return decision


def check_form(name: str, schema: Any, element_id: str, problems: list[Problem]) -> None:
    """A form's checks at deploy: a valid JSON Schema (2020-12), an object closed to other fields."""
    if not isinstance(schema, dict):
        problems.append(Problem(element_id, f"formulir '{name}' tidak ditemukan"))
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        problems.append(Problem(element_id, f"formulir '{name}' bukan JSON Schema yang valid: {exc.message}"))
        return
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        problems.append(Problem(
            element_id, f"formulir '{name}' harus bertipe object dengan additionalProperties: false"
        ))


def _spiff_parse(root: etree._Element, process_id: str):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_xml(root, filename=f"{process_id}.bpmn")
    spec = parser.get_spec(process_id)
    return spec, parser.get_subprocess_specs(process_id)


def _check_visibility(name: str, schema: dict[str, Any], roles: set[str], problems: list[Problem]) -> None:
    """A private field (``"x-visible-to": [roles]``) names roles that exist, at least one."""
    for field_name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or VISIBLE_TO not in prop:
            continue
        allowed = prop[VISIBLE_TO]
        if not isinstance(allowed, list) or not allowed or not all(isinstance(r, str) and r in roles for r in allowed):
            problems.append(Problem(name, f"isian '{field_name}': {VISIBLE_TO} harus daftar peran yang dikenal"))


def _load_checked_form(name: str, element_id: str, forms: dict[str, dict[str, Any]],
                       load_form: Callable[[str], dict[str, Any] | None], problems: list[Problem]) -> None:
    if name not in forms:
        schema = load_form(name)
        check_form(name, schema, element_id, problems)
        if isinstance(schema, dict):
            forms[name] = schema


def parse_model(
    data: bytes,
    *,
    roles: set[str],
    effects: set[str],
    load_form: Callable[[str], dict[str, Any] | None],
    max_bytes: int,
) -> ProcessModel:
    """Validate a BPMN document completely; raise DeployError listing every problem. ``roles``
    are the roles a lane may name, ``effects`` the effects a task may have."""
    root = parse_xml(data, max_bytes)
    process = _the_process(root)
    process_id = process.get("id") or ""
    problems = _no_code(root)
    lanes, lane_of = _lanes(process, roles, problems)
    forms: dict[str, dict[str, Any]] = {}
    tasks = _user_tasks(process, lanes, lane_of, effects, forms, load_form, problems)
    process_props = properties(process)
    hari_kerja = _hari_kerja(process_props.get("waktuHariKerja"), process_id, problems)
    starts = process.xpath("./bpmn:startEvent", namespaces=NS)
    start_role = lanes.get(lane_of.get(starts[0].get("id"), "")) if starts else None
    start_form = properties(starts[0]).get("formJsonSchemaFilename") if starts else None
    if start_form:
        _load_checked_form(start_form, starts[0].get("id"), forms, load_form, problems)
    for name, schema in forms.items():
        _check_visibility(name, schema, roles, problems)
    if problems:
        raise DeployError(problems)

    try:
        _spiff_parse(root, process_id)
    except ValidationException as exc:
        raise DeployError([Problem(exc.id or None, f"BPMN tidak valid: {exc}")]) from None
    except SpiffWorkflowException as exc:
        raise DeployError([Problem(None, f"BPMN tidak valid: {exc}")]) from None

    return ProcessModel(
        process_id=process_id, name=process.get("name") or process_id,
        xml=data.decode("utf-8"), sha256=hashlib.sha256(data).hexdigest(),
        hari_kerja=hari_kerja, properties=process_props, lanes=lanes,
        user_tasks=tasks, forms=forms, start_role=start_role, start_form=start_form or None,
    )


def _the_process(root: etree._Element) -> etree._Element:
    """The document's one executable process; a DeployError when there is not exactly one."""
    processes = root.xpath("/bpmn:definitions/bpmn:process", namespaces=NS)
    if len(processes) != 1:
        raise DeployError([Problem(None, "berkas harus berisi tepat satu bpmn:process")])
    process = processes[0]
    if process.get("isExecutable") != "true":
        raise DeployError([Problem(process.get("id") or "", "proses harus isExecutable=\"true\"")])
    return process


def _no_code(root: etree._Element) -> list[Problem]:
    """The elements and extensions that would run code, and the conditions the safe evaluator refuses."""
    problems: list[Problem] = []
    for tag, message in FORBIDDEN_ELEMENTS.items():
        for element in root.iter(f"{{{NS['bpmn']}}}{tag}"):
            problems.append(Problem(element.get("id"), message))
    for tag in FORBIDDEN_EXTENSIONS:
        for element in root.iter(f"{{{NS['spiffworkflow']}}}{tag}"):
            owner = element.getparent().getparent()
            problems.append(Problem(owner.get("id"), f"ekstensi spiffworkflow:{tag} tidak diizinkan"))
    for expr in root.iter(f"{{{NS['bpmn']}}}conditionExpression"):
        flow_id = expr.getparent().get("id")
        try:
            compile_condition((expr.text or "").strip())
        except ExpressionError as exc:
            problems.append(Problem(flow_id, f"kondisi ditolak: {exc}"))
    return problems


def _lanes(process: etree._Element, roles: set[str],
           problems: list[Problem]) -> tuple[dict[str, str], dict[str, str]]:
    """The lanes that map to a known role (lane name -> role), and the lane of each flow node
    in them (element id -> lane name)."""
    lanes: dict[str, str] = {}
    lane_of: dict[str, str] = {}
    for lane in process.iter(f"{{{NS['bpmn']}}}lane"):
        name = lane.get("name") or ""
        role = properties(lane).get("role")
        if role not in roles:
            problems.append(Problem(
                lane.get("id"), f"lajur '{name}' tidak dipetakan ke peran yang dikenal (properti role)"
            ))
            continue
        lanes[name] = role
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of[(ref.text or "").strip()] = name
    return lanes, lane_of


def _user_tasks(process: etree._Element, lanes: Mapping[str, str], lane_of: Mapping[str, str], effects: set[str],
                forms: dict[str, dict[str, Any]], load_form: Callable[[str], dict[str, Any] | None],
                problems: list[Problem]) -> dict[str, UserTaskDef]:
    """Every user task with its lane, role, form (loaded into ``forms`` and checked), standard
    time, effect and decision."""
    tasks: dict[str, UserTaskDef] = {}
    for element in process.iter(f"{{{NS['bpmn']}}}userTask"):
        task_id = element.get("id")
        props = properties(element)
        lane = lane_of.get(task_id)
        if lane is None:
            problems.append(Problem(task_id, "tugas pengguna harus berada di lajur yang dipetakan ke peran"))
        form = props.get("formJsonSchemaFilename")
        if not form:
            problems.append(Problem(task_id, "tugas pengguna tidak memiliki formulir (formJsonSchemaFilename)"))
        else:
            _load_checked_form(form, task_id, forms, load_form, problems)
        effect = props.get("effect") or None
        if effect is not None and effect not in effects:
            problems.append(Problem(task_id, f"efek '{effect}' tidak dikenal"))
        docs = element.xpath("./bpmn:documentation/text()", namespaces=NS)
        tasks[task_id] = UserTaskDef(
            bpmn_id=task_id, name=element.get("name") or task_id, lane=lane or "",
            role=lanes.get(lane or "", ""), form=form or "",
            hari_kerja=_hari_kerja(props.get("waktuHariKerja"), task_id, problems),
            effect=effect, properties=props, documentation=" ".join(d.strip() for d in docs),
            decision=_decision(props, forms.get(form or ""), task_id, problems),
        )
    return tasks


_spec_cache: dict[str, tuple[Any, Any]] = {}
_spec_lock = threading.Lock()


def cached_spec(process_id: str, sha256: str, xml: str | Callable[[], str]):
    """The parsed spec of a deployed version: parsed once per process, shared read-only.
    ``xml`` may be a function giving it, so that the XML is read only when not cached yet."""
    key = f"{process_id}:{sha256}"
    found = _spec_cache.get(key)
    if found is None:
        xml = xml() if callable(xml) else xml
        root = parse_xml(xml.encode("utf-8"), max_bytes=len(xml.encode("utf-8")))
        found = _spiff_parse(root, process_id)
        with _spec_lock:
            _spec_cache.setdefault(key, found)
    return found
