"""Reading BPMN documents safely: XML parsed with no DOCTYPE, no entities, no network and a size
limit; the namespaces and the extension properties every reader of the model needs."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str


class DeployError(Exception):
    """A model that cannot be deployed; each problem names its element."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.element_id or 'model'}: {p.message}" for p in problems))


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False,
    )


def parse_xml(data: bytes, max_bytes: int) -> etree._Element:
    """Parse untrusted XML: size-limited, no DOCTYPE, no entities, no network."""
    if len(data) > max_bytes:
        raise DeployError([Problem(None, f"berkas BPMN melebihi batas {max_bytes // 1024} KB")])
    try:
        root = etree.fromstring(data, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise DeployError([Problem(None, f"XML tidak valid: {exc}")]) from None
    if root.getroottree().docinfo.doctype:
        raise DeployError([Problem(None, "DOCTYPE dan entitas XML tidak diizinkan")])
    return root


def properties(element: etree._Element) -> dict[str, str]:
    """An element's extension properties (spiffworkflow:property), name -> value."""
    nodes = element.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS
    )
    return {n.get("name"): n.get("value", n.text or "") for n in nodes if n.get("name")}
