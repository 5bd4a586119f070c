"""The activity table of the SOP document, from the BPMN of a deployed version alone:

- Rows in flow order: the sequence flows are walked breadth-first from the start event, and
  every element is visited once, so that the loop back from a gateway repeats no step.
- A row is a named start event, every task, a named intermediate event (a milestone such as
  "Hasil disetujui") and a gateway that carries the property ``barisSop``. End events and
  other gateways are not rows.
- A decision is the task whose only way out is an exclusive gateway that splits: the pair is
  one row, drawn as a diamond, and the gateway's name (the question, "Apakah ada revisi?")
  is its Kegiatan unless the task says otherwise.
- Kegiatan is the property ``kegiatanSop`` when present, else (a decision) the gateway's
  name, else the element's name. Pelaksana is the element's lane; Persyaratan/Kelengkapan,
  Output and Keterangan are the properties ``persyaratan``, ``output`` and ``keterangan``;
  Waktu is the property ``waktuHariKerja`` in days ("1 hari").
- The Pelaksana columns follow the metadata ``pelaksana_order`` (lane names) where it is set;
  lanes it does not name follow in the order of the BPMN.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.engine import Element, outline_of
from app.workflow import processes
from app.workflow.models import ProcessVersion

TASK_TAGS = {"userTask", "task", "manualTask", "subProcess"}
EVENT_TAGS = {"intermediateThrowEvent", "intermediateCatchEvent"}
GATEWAY_TAGS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                "complexGateway"}
FLOW_NODE_TAGS = TASK_TAGS | EVENT_TAGS | GATEWAY_TAGS | {
    "startEvent", "endEvent", "boundaryEvent", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity"}


@dataclass(frozen=True)
class Row:
    no: int
    element_id: str
    kind: str          # "start", "task", "decision", "event", "gateway"
    kegiatan: str
    lane: str          # the Pelaksana: a lane name, "" when the element is in no lane
    persyaratan: str
    waktu: str         # "1 hari", "" when the element has no standard time
    output: str
    keterangan: str


@dataclass(frozen=True)
class Link:
    """An arrow of the flowchart between two rows (their numbers), with the flow's name."""
    source: int
    target: int
    label: str


@dataclass(frozen=True)
class ActivityTable:
    pelaksana: tuple[str, ...]
    rows: tuple[Row, ...]
    links: tuple[Link, ...]


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def days_text(raw: str | None) -> str:
    """waktuHariKerja as the SOP writes it: "1 hari", "0,5 hari"; "" when absent or not a number."""
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return ""
    if not value > 0:
        return ""
    number = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} hari"


Outgoing = Mapping[str, list[tuple[str, str]]]  # element id -> (target id, flow name) of its flows


def table_from_xml(xml: bytes, pelaksana_order: Iterable[str] = ()) -> ActivityTable:
    """The activity table and the flowchart's arrows of a BPMN document (already validated)."""
    model = outline_of(xml)
    lanes: list[str] = []
    for name in (_clean(n) for n in model.lanes):
        if name and name not in lanes:
            lanes.append(name)
    lane_of = {e.id: _clean(e.lane) for e in model.elements.values() if e.lane}
    nodes = {e.id: e for e in model.elements.values() if e.kind in FLOW_NODE_TAGS}
    outgoing: dict[str, list[tuple[str, str]]] = {}
    incoming: dict[str, int] = {}
    for flow in model.of_kind("sequenceFlow"):
        if flow.source in nodes and flow.target in nodes:
            outgoing.setdefault(flow.source, []).append((flow.target, _clean(flow.name)))
            incoming[flow.target] = incoming.get(flow.target, 0) + 1

    decision_gateway = _decisions(nodes, outgoing, incoming)
    rows = _rows(_flow_order(nodes, outgoing), nodes, decision_gateway, lane_of)
    order_names = [name for name in dict.fromkeys(_clean(n) for n in pelaksana_order) if name in lanes]
    pelaksana = tuple(order_names + [name for name in lanes if name not in order_names])
    return ActivityTable(pelaksana=pelaksana, rows=tuple(rows),
                         links=tuple(_links(rows, outgoing, decision_gateway)))


def _decisions(nodes: Mapping[str, Element], outgoing: Outgoing, incoming: Mapping[str, int]) -> dict[str, str]:
    """The decisions, task id -> gateway id: a task whose only way out is an exclusive gateway
    that splits and that nothing else enters."""
    decision_gateway: dict[str, str] = {}
    absorbed: set[str] = set()
    for node_id, element in nodes.items():
        if element.kind not in TASK_TAGS:
            continue
        out = outgoing.get(node_id, [])
        if len(out) != 1:
            continue
        gateway_id = out[0][0]
        gateway = nodes[gateway_id]
        if (gateway.kind == "exclusiveGateway" and len(outgoing.get(gateway_id, [])) > 1
                and incoming.get(gateway_id, 0) == 1 and gateway_id not in absorbed):
            decision_gateway[node_id] = gateway_id
            absorbed.add(gateway_id)
    return decision_gateway


def _flow_order(nodes: Mapping[str, Element], outgoing: Outgoing) -> list[str]:
    """Flow order: breadth-first from the start events, each element once."""
    order: list[str] = []
    seen: set[str] = set()
    starts = [i for i, e in nodes.items() if e.kind == "startEvent" and e.top_level]
    queue = deque(starts)
    seen.update(starts)
    while queue:
        node_id = queue.popleft()
        order.append(node_id)
        for target, _name in outgoing.get(node_id, []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    # Elements that no flow reaches still belong in the document, after the others.
    return order + [i for i in nodes if i not in seen and nodes[i].top_level]


def _is_row(element: Element, absorbed: set[str]) -> bool:
    kind = element.kind
    if kind in TASK_TAGS:
        return True
    if kind in ("startEvent", *EVENT_TAGS):
        return bool(_clean(element.name))
    if kind in GATEWAY_TAGS:
        return element.id not in absorbed and "barisSop" in element.properties
    return False


ROW_KINDS = {"startEvent": "start", **{t: "event" for t in EVENT_TAGS}, **{t: "gateway" for t in GATEWAY_TAGS}}


def _rows(order: Iterable[str], nodes: Mapping[str, Element], decision_gateway: Mapping[str, str],
          lane_of: Mapping[str, str]) -> list[Row]:
    """The rows of the elements in flow order that are rows, numbered from 1."""
    rows: list[Row] = []
    absorbed = set(decision_gateway.values())
    for node_id in order:
        element = nodes[node_id]
        if not _is_row(element, absorbed):
            continue
        props = element.properties
        kind = ROW_KINDS.get(element.kind, "task")
        gateway_id = decision_gateway.get(node_id)
        kegiatan = _clean(props.get("kegiatanSop"))
        if gateway_id is not None:
            kind = "decision"
            kegiatan = kegiatan or _clean(nodes[gateway_id].name)
        kegiatan = kegiatan or _clean(element.name) or node_id
        rows.append(Row(
            no=len(rows) + 1, element_id=node_id, kind=kind, kegiatan=kegiatan,
            lane=lane_of.get(node_id, ""), persyaratan=_clean(props.get("persyaratan")),
            waktu=days_text(props.get("waktuHariKerja")), output=_clean(props.get("output")),
            keterangan=_clean(props.get("keterangan")),
        ))
    return rows


def _links(rows: Sequence[Row], outgoing: Outgoing, decision_gateway: Mapping[str, str]) -> list[Link]:
    """Arrows: from each row (a decision leaves from its gateway) to the next rows, passing
    through the elements that are not rows."""
    number_of = {row.element_id: row.no for row in rows}
    for task_id, gateway_id in decision_gateway.items():
        if task_id in number_of:
            number_of[gateway_id] = number_of[task_id]
    links: list[Link] = []
    for row in rows:
        start = decision_gateway.get(row.element_id, row.element_id)
        stack = [(target, name) for target, name in reversed(outgoing.get(start, []))]
        visited: set[str] = set()
        while stack:
            node_id, label = stack.pop()
            if node_id in visited:
                continue
            visited.add(node_id)
            if node_id in number_of:
                links.append(Link(row.no, number_of[node_id], label))
                continue
            for target, name in reversed(outgoing.get(node_id, [])):
                stack.append((target, label or name))
    return links


def activity_table(version: ProcessVersion, pelaksana_order: Iterable[str] = ()) -> ActivityTable:
    model = processes.model_of(version)
    return table_from_xml(model.xml.encode("utf-8"), pelaksana_order)
