"""A BPMN document read as plain data: every element of its process with what a person reading the
model sees (kind, name, lane, properties, documentation, flows, conditions, event definitions)
and the diagram's geometry. The SOP document, the comparison of versions and the modeler's form
list read the model through this, never through XML of their own."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from .xml import NS, parse_xml, properties

BPMN = NS["bpmn"]
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
# Children that belong to their element rather than being elements of the process themselves.
PARTS = frozenset({"laneSet", "documentation", "extensionElements", "conditionExpression", "incoming",
                   "outgoing", "flowNodeRef", "ioSpecification", "multiInstanceLoopCharacteristics",
                   "standardLoopCharacteristics"})


@dataclass(frozen=True)
class Element:
    """One element of the process: a flow node, a sequence flow, a lane, the process itself."""

    id: str
    kind: str                       # the BPMN tag without its namespace: userTask, sequenceFlow, lane, ...
    name: str
    documentation: str
    attributes: Mapping[str, str]   # as written in the document
    properties: Mapping[str, str]   # the extension properties
    top_level: bool                 # a direct child of the process (not inside a subprocess)
    lane: str = ""                  # flow nodes: the name of their lane
    incoming: tuple[str, ...] = ()  # flow nodes: the ids of the flows in and out
    outgoing: tuple[str, ...] = ()
    source: str = ""                # sequence flows: their ends and their condition
    target: str = ""
    condition: str = ""
    default: str = ""               # gateways and tasks: the default flow
    events: tuple[str, ...] = ()    # events: their definitions, e.g. "timerEventDefinition(timeDuration=PT1H)"


@dataclass(frozen=True)
class Outline:
    process_id: str
    name: str
    lanes: tuple[str, ...]          # lane names in document order
    elements: Mapping[str, Element] = field(default_factory=dict)  # by id, in document order
    geometry: Mapping[str, tuple] = field(default_factory=dict)    # element id -> its shape or edge

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for e in self.elements.values() if e.kind in kinds]


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _text(nodes) -> str:
    return " ".join(" ".join((n.text or "").split()) for n in nodes).strip()


def _events(element: etree._Element) -> tuple[str, ...]:
    found = []
    for definition in element:
        if isinstance(definition.tag, str) and _local(definition).endswith("EventDefinition"):
            inner = [f"{_local(c)}={' '.join((c.text or '').split())}" for c in definition if isinstance(c.tag, str)]
            found.append(_local(definition) + (f"({', '.join(inner)})" if inner else ""))
    return tuple(found)


def _geometry(root: etree._Element) -> dict[str, tuple]:
    """The diagram's geometry per BPMN element: shapes' bounds and edges' waypoints."""
    geometry: dict[str, tuple] = {}
    for item in root.iter(f"{{{DI}}}BPMNShape", f"{{{DI}}}BPMNEdge"):
        geometry[item.get("bpmnElement") or ""] = tuple(
            (etree.QName(n).localname, tuple(sorted(n.attrib.items())))
            for n in item.iter() if n is not item and isinstance(n.tag, str))
    return geometry


def outline_of(xml: bytes) -> Outline:
    """The first process of a BPMN document (read with the hardened parser) as plain data."""
    root = parse_xml(xml, max_bytes=max(len(xml), 1))
    process = root.xpath("/bpmn:definitions/bpmn:process", namespaces=NS)[0]
    lanes, lane_of = [], {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        name = lane.get("name") or lane.get("id") or ""
        lanes.append(name)
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of[(ref.text or "").strip()] = name
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow.get("id"))
        incoming.setdefault(flow.get("targetRef") or "", []).append(flow.get("id"))
    elements: dict[str, Element] = {}
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        kind, element_id = _local(node), node.get("id")
        if not element_id or kind in PARTS or kind.endswith("EventDefinition"):
            continue
        is_flow = kind == "sequenceFlow"
        elements[element_id] = Element(
            id=element_id, kind=kind, name=node.get("name") or "",
            documentation=_text(node.xpath("./bpmn:documentation", namespaces=NS)),
            attributes=dict(node.attrib), properties=properties(node),
            top_level=node.getparent() is process,
            lane=lane_of.get(element_id, ""),
            incoming=tuple(incoming.get(element_id, ())) if not is_flow else (),
            outgoing=tuple(outgoing.get(element_id, ())) if not is_flow else (),
            source=node.get("sourceRef") or "" if is_flow else "",
            target=node.get("targetRef") or "" if is_flow else "",
            condition=_text(node.xpath("./bpmn:conditionExpression", namespaces=NS)) if is_flow else "",
            default=node.get("default") or "",
            events=_events(node),
        )
    return Outline(process_id=process.get("id") or "", name=process.get("name") or "", lanes=tuple(lanes),
                   elements=elements, geometry=_geometry(root))
