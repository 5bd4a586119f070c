"""The difference between two versions of a process, read from the stored XML (parsed as
hardened as any upload) element by BPMN id: what was added, what was removed, and for what
stayed, what changed in it (name, type, lane, form, standard time, properties, condition, flows
in and out, ...); elements whose only change is their place on the diagram are listed apart."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.core.models import User
from app.engine import Element as EngineElement
from app.engine import Outline, outline_of
from app.workflow.models import ProcessVersion

from .history import get_version

# What may change in an element, in the order a difference lists it.
ASPECTS = ("type", "name", "lane", "role", "form", "form_schema", "standard_time", "property",
           "source", "target", "condition", "default", "incoming", "outgoing", "event",
           "documentation", "attributes")
# Elements with an id that are parts of another element, not elements of the process.
_PLAIN_ATTRIBUTES = {"id", "name", "default", "sourceRef", "targetRef"}


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # the BPMN element type: userTask, sequenceFlow, lane, process, ...
    name: str


@dataclass(frozen=True)
class Change:
    aspect: str  # one of ASPECTS
    key: str | None  # the property's name (aspect "property"), the form (aspect "form_schema")
    before: str
    after: str


@dataclass(frozen=True)
class ElementChange:
    element: Element
    changes: tuple[Change, ...]

    @property
    def id(self) -> str:
        return self.element.id

    @property
    def aspects(self) -> list[str]:
        return [c.aspect for c in self.changes]


@dataclass(frozen=True)
class VersionDiff:
    process_id: str
    old: ProcessVersion
    new: ProcessVersion
    added: tuple[Element, ...]
    removed: tuple[Element, ...]
    changed: tuple[ElementChange, ...]
    moved: tuple[str, ...] = field(default=())  # only the diagram's layout changed

    @property
    def added_ids(self) -> list[str]:
        return [e.id for e in self.added]

    @property
    def removed_ids(self) -> list[str]:
        return [e.id for e in self.removed]

    @property
    def changed_ids(self) -> list[str]:
        return [c.id for c in self.changed]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def markers(self) -> dict[str, dict[str, list[str]]]:
        """What to mark on each diagram: the old one shows what went, the new one what came."""
        return {"old": {"removed": self.removed_ids, "changed": self.changed_ids},
                "new": {"added": self.added_ids, "changed": self.changed_ids}}


def _facts(element: EngineElement, forms: dict[str, Any]) -> dict[tuple[str, str | None], str]:
    """What a comparison of two versions looks at in one element."""
    kind = element.kind
    facts: dict[tuple[str, str | None], str] = {
        ("type", None): kind, ("name", None): element.name, ("documentation", None): element.documentation,
        ("attributes", None): ", ".join(sorted(f"{k}={v}" for k, v in element.attributes.items()
                                               if k not in _PLAIN_ATTRIBUTES)),
    }
    for key, value in element.properties.items():
        if key == "formJsonSchemaFilename":
            facts[("form", None)] = value
            schema = forms.get(value)
            facts[("form_schema", value)] = json.dumps(schema, sort_keys=True) if schema is not None else ""
        elif key == "waktuHariKerja":
            facts[("standard_time", None)] = value
        elif key == "role" and kind == "lane":
            facts[("role", None)] = value
        else:
            facts[("property", key)] = value
    if kind == "sequenceFlow":
        facts[("source", None)], facts[("target", None)] = element.source, element.target
        facts[("condition", None)] = element.condition
    elif kind not in ("lane", "process"):
        facts[("lane", None)] = element.lane
        facts[("incoming", None)] = ", ".join(sorted(element.incoming))
        facts[("outgoing", None)] = ", ".join(sorted(element.outgoing))
        facts[("default", None)] = element.default
        facts[("event", None)] = "; ".join(element.events)
    return facts


def _snapshot(model: Outline, forms: dict[str, Any]) -> dict[str, tuple[Element, dict[tuple[str, str | None], str]]]:
    """Every element of the process by id, in document order, with what a difference compares."""
    return {element_id: (Element(element_id, element.kind, element.name), _facts(element, forms))
            for element_id, element in model.elements.items()}


def _aspect_order(key: tuple[str, str | None]) -> tuple[int, str]:
    return ASPECTS.index(key[0]), key[1] or ""


def _compare(old_facts: dict, new_facts: dict) -> tuple[Change, ...]:
    changes = []
    for key in sorted(set(old_facts) | set(new_facts), key=_aspect_order):
        aspect, sub = key
        if aspect == "form_schema":
            continue
        before, after = old_facts.get(key, ""), new_facts.get(key, "")
        if before != after:
            changes.append(Change(aspect, sub, before, after))
    form_keys = [k for k in old_facts if k[0] == "form_schema" and k in new_facts]
    for key in form_keys:  # the same form file, but its content differs between the versions
        if old_facts[key] != new_facts[key]:
            changes.append(Change("form_schema", key[1], "", ""))
    return tuple(sorted(changes, key=lambda c: _aspect_order((c.aspect, c.key))))


def diff_versions(process_id: str, old_number: int, new_number: int, user: User | None) -> VersionDiff:
    """What differs between two versions of a process, by BPMN element id."""
    old = get_version(process_id, old_number, user)
    new = get_version(process_id, new_number, user)
    old_outline, new_outline = outline_of(old.bpmn_xml.encode("utf-8")), outline_of(new.bpmn_xml.encode("utf-8"))
    before = _snapshot(old_outline, old.forms or {})
    after = _snapshot(new_outline, new.forms or {})
    added = tuple(element for key, (element, _f) in after.items() if key not in before)
    removed = tuple(element for key, (element, _f) in before.items() if key not in after)
    changed = []
    for key, (_element, facts) in before.items():
        if key in after:
            changes = _compare(facts, after[key][1])
            if changes:
                changed.append(ElementChange(after[key][0], changes))
    listed = {c.id for c in changed}
    old_layout, new_layout = old_outline.geometry, new_outline.geometry
    moved = tuple(key for key in before if key in after and key not in listed
                  and key in old_layout and old_layout.get(key) != new_layout.get(key))
    return VersionDiff(process_id, old, new, added, removed, tuple(changed), moved)
