"""Versions of a process and the work running on them: the list, a download, an upload, the
difference between two versions, moving running instances to a newer version (a dry run
first), and rollback. Admins only.

The difference is read from the stored XML (parsed as hardened as any upload) element by
BPMN id: what was added, what was removed, and for what stayed, what changed in it (name,
type, lane, form, standard time, properties, condition, flows in and out, ...). Moving an
instance is the engine's call (app.engine.migration, SpiffWorkflow's diff and migrate): an
instance moves only when no step it has already done changed or disappeared.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app import policy
from app.core import audit
from app.core.errors import Invalid, NotFound
from app.core.models import User, utcnow
from app.core.paging import page_of
from app.engine import Element as EngineElement
from app.engine import EngineError, Outline, VersionRef, check_migration, migrate_instance, outline_of
from app.extensions import db
from app.workflow import processes
from app.workflow.deadlines import deadlines
from app.workflow.models import HumanTask, Instance, ProcessVersion

UPLOAD_SUFFIXES = (".bpmn", ".xml")
MAX_NOTES = 2000


def require_admin(user: User | None) -> None:
    """Admins only; None is the command line, which is trusted as the operator."""
    if user is not None:
        policy.require(policy.may_administer_processes(user), "Hanya Admin yang dapat mengelola versi proses.")


# Listing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    running: int
    deployed_by: User | None


def processes_overview(user: User | None) -> list[dict[str, Any]]:
    """Each process: id, name, its newest version, how many versions, running instances."""
    require_admin(user)
    result = []
    for entry in processes.versions_overview():
        rows = entry["versions"]
        result.append({
            "id": entry["id"], "name": entry["name"], "latest": rows[-1][0],
            "count": len(rows), "running": sum(n for _v, n in rows),
        })
    return result


def version_page(process_id: str, user: User | None, page_no: int, per_page: int
                 ) -> tuple[list[VersionRow], int]:
    """The versions of a process, newest first, with their running instances and deployer."""
    require_admin(user)
    if processes.latest(process_id) is None:
        raise NotFound(f"Proses '{process_id}' tidak ditemukan.")
    running = (select(func.count(Instance.id))
               .where(Instance.process_version_id == ProcessVersion.id, Instance.state == "running")
               .correlate(ProcessVersion).scalar_subquery())
    query = (select(ProcessVersion).where(ProcessVersion.process_id == process_id)
             .order_by(ProcessVersion.version.desc()))
    versions, total = page_of(query, page_no, per_page)
    counts = dict(db.session.execute(
        select(ProcessVersion.id, running).where(ProcessVersion.id.in_([v.id for v in versions]))
    ).all()) if versions else {}
    ids = {v.deployed_by_id for v in versions if v.deployed_by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [VersionRow(v, counts.get(v.id, 0), people.get(v.deployed_by_id)) for v in versions], total


def version_numbers(process_id: str) -> list[int]:
    return list(db.session.scalars(
        select(ProcessVersion.version).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version)
    ))


def get_version(process_id: str, number: int, user: User | None) -> ProcessVersion:
    require_admin(user)
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.version == number))
    if version is None:
        raise NotFound(f"Versi {number} dari proses '{process_id}' tidak ditemukan.")
    return version


# Upload and rollback -----------------------------------------------------------------------

def forms_for_upload(process_id: str) -> dict[str, dict]:
    """The forms an uploaded model may name: those of the newest version (forms edited and
    deployed with the process stay), else the shipped ones in FORMS_DIR."""
    forms: dict[str, dict] = {}
    for path in sorted(Path(current_app.config["FORMS_DIR"]).glob("*.json")):
        schema = processes.load_shipped_form(path.name)
        if isinstance(schema, dict):
            forms[path.name] = schema
    current = processes.latest(process_id)
    if current is not None:
        forms.update(current.forms or {})
    return forms


def _notes(notes: Any) -> str:
    notes = notes.strip() if isinstance(notes, str) else ""
    if len(notes) > MAX_NOTES:
        raise Invalid("Catatan terlalu panjang.", {"notes": f"paling banyak {MAX_NOTES} karakter"})
    return notes


def upload(process_id: str, data: bytes, filename: str, notes: Any, user: User | None) -> ProcessVersion:
    """Deploy an uploaded .bpmn as the newest version, validated as every deploy is."""
    require_admin(user)
    if processes.latest(process_id) is None:
        raise NotFound(f"Proses '{process_id}' tidak ditemukan.")
    notes = _notes(notes)
    if not filename:
        raise Invalid("Pilih berkas BPMN.", {"file": "wajib diisi"})
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise Invalid("Berkas harus berakhiran .bpmn.", {"file": "berkas harus berakhiran .bpmn atau .xml"})
    current = processes.latest(process_id)
    if hashlib.sha256(data).hexdigest() == current.sha256:
        raise Invalid(f"Model ini sama dengan versi terbaru ({current.version}); tidak ada yang dipasang.",
                      {"file": f"sama dengan versi {current.version}"})
    version, _new = processes.deploy(data, user, expected_process=process_id,
                                     notes=notes or f"diunggah dari {filename}",
                                     forms=forms_for_upload(process_id))
    return version


def rollback(process_id: str, number: int, user: User | None) -> ProcessVersion:
    """Deploy an older version's model and forms again, as the newest version."""
    old = get_version(process_id, number, user)
    current = processes.latest(process_id)
    if current is not None and current.version == old.version:
        raise Invalid(f"Versi {number} sudah versi terbaru.", {"version": "sudah versi terbaru"})
    version, _new = processes.deploy(old.bpmn_xml.encode("utf-8"), user, expected_process=process_id,
                                     notes=f"rollback dari versi {number}", forms=old.forms)
    audit.record("process.rollback", user, process=process_id, from_version=number,
                 version=version.version, sha256=version.sha256,
                 before={"version": current.version if current else None},
                 after={"version": version.version})
    return version


# The difference between two versions -------------------------------------------------------

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


# Moving running instances ------------------------------------------------------------------

STATE_WORDS = {
    "completed": "sudah selesai", "started": "sedang berjalan", "error": "berhenti karena galat",
    "ready": "sedang menunggu", "waiting": "sedang menunggu",
}


@dataclass(frozen=True)
class InstanceCheck:
    instance: Instance
    from_version: int
    safe: bool
    reasons: tuple[str, ...]
    waiting: tuple[str, ...]  # the names of the steps it waits at now


@dataclass(frozen=True)
class MigrationResult:
    target: ProcessVersion
    moved: tuple[tuple[Instance, int], ...]  # (instance, the version it came from)
    refused: tuple[InstanceCheck, ...]


def _ref(version: ProcessVersion) -> VersionRef:
    return VersionRef(version.process_id, version.sha256, version.bpmn_xml)


def _reasons(check, target: ProcessVersion) -> tuple[str, ...]:
    reasons = []
    for blocker in check.blockers:
        step = f"Langkah “{blocker.name}” ({blocker.bpmn_id})"
        state = STATE_WORDS.get(blocker.state, blocker.state)
        if blocker.removed:
            reasons.append(f"{step} {state} dan tidak ada lagi di versi {target.version}.")
        else:
            what = ", ".join(blocker.changes) or "spesifikasinya"
            reasons.append(f"{step} {state} dan berubah di versi {target.version}: {what}.")
    return tuple(reasons)


def _check(instance: Instance, target: ProcessVersion, open_tasks: list[HumanTask]) -> InstanceCheck:
    source = instance.process_version
    waiting = tuple(t.name for t in open_tasks)
    try:
        check = check_migration(_ref(source), _ref(target), instance.engine_state)
    except EngineError as exc:
        return InstanceCheck(instance, source.version, False, (f"Status instans tidak dapat dibaca: {exc}",), waiting)
    return InstanceCheck(instance, source.version, check.safe, _reasons(check, target), waiting)


def _candidates(target: ProcessVersion):
    """Running instances of the process on an older version than the target, oldest first."""
    return (select(Instance).join(ProcessVersion, Instance.process_version_id == ProcessVersion.id)
            .where(ProcessVersion.process_id == target.process_id,
                   ProcessVersion.version < target.version, Instance.state == "running")
            .order_by(Instance.id))


def _open_tasks(instance: Instance) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.completed_at.is_(None))
        .order_by(HumanTask.created_at, HumanTask.id).execution_options(populate_existing=True)
    ))


def dry_run(process_id: str, to_version: int, user: User | None) -> tuple[ProcessVersion, list[InstanceCheck]]:
    """Per running instance on an older version: can it move to the target, and if not, why.
    Changes nothing."""
    target = get_version(process_id, to_version, user)
    return target, [_check(i, target, _open_tasks(i)) for i in db.session.scalars(_candidates(target))]


def _refused(instance: Instance, source: ProcessVersion, reason: str, open_tasks) -> InstanceCheck:
    return InstanceCheck(instance, source.version, False, (reason,), tuple(t.name for t in open_tasks))


def _move(instance: Instance, target: ProcessVersion, user: User | None, now: datetime) -> InstanceCheck | None:
    """Move one locked instance; None when moved, else why not (nothing changed then)."""
    source = instance.process_version
    open_tasks = _open_tasks(instance)
    check = _check(instance, target, open_tasks)
    if not check.safe:
        return check
    try:
        step = migrate_instance(_ref(source), _ref(target), instance.engine_state)
    except EngineError as exc:
        return _refused(instance, source, f"Mesin proses menolak pemindahan: {exc}", open_tasks)
    ready = {r.id: r for r in step.ready}
    if set(ready) != {t.id for t in open_tasks}:
        return _refused(instance, source, "Langkah yang menunggu berbeda setelah pemindahan; "
                        "instans dibiarkan pada versinya.", open_tasks)
    model, old_model = processes.model_of(target), processes.model_of(source)
    before_tasks, after_tasks = [], []
    for task in open_tasks:
        spec = model.user_tasks[ready[task.id].bpmn_id]
        old_spec = old_model.user_tasks.get(task.bpmn_id)
        before_tasks.append({"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "lane": task.lane,
                             "role": task.role, "form": task.form})
        task.bpmn_id, task.name, task.lane = spec.bpmn_id, ready[task.id].name, ready[task.id].lane
        task.role, task.form = spec.role, spec.form
        if old_spec is None or old_spec.hari_kerja != spec.hari_kerja:
            task.due_at, task.near_due_at = deadlines(task.created_at, spec.hari_kerja)
        if task.assignee is not None and not policy.works_lane(task.assignee, spec.role):
            task.assignee_id = None
        after_tasks.append({"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "lane": task.lane,
                            "role": task.role, "form": task.form})
    if model.hari_kerja != old_model.hari_kerja:
        instance.due_at, instance.near_due_at = deadlines(instance.created_at, model.hari_kerja)
    instance.engine_state = step.state
    instance.process_version = target
    if step.completed:
        instance.state, instance.completed_at = "completed", now
    audit.record("instance.migrate", user, instance_id=instance.id, process=target.process_id,
                 from_version=source.version, to_version=target.version,
                 before={"version": source.version, "tasks": before_tasks},
                 after={"version": target.version, "tasks": after_tasks})
    db.session.flush()  # a concurrent change surfaces here as StaleDataError: 409
    return None


def apply(process_id: str, to_version: int, user: User | None, *, now: datetime | None = None,
          instance_ids: Iterable[int] | None = None) -> MigrationResult:
    """Move every running instance on an older version that can move safely (or only those
    of instance_ids); each is checked again under its lock. The caller commits once."""
    target = get_version(process_id, to_version, user)
    now = now or utcnow()
    query = _candidates(target)
    if instance_ids is not None:
        query = query.where(Instance.id.in_(list(instance_ids)))
    # Lock every instance first, in id order, before anything is written (the audit head
    # is locked by the first record): a task completed meanwhile waits, never deadlocks.
    locked = list(db.session.scalars(
        query.with_for_update(of=Instance).execution_options(populate_existing=True)))
    moved, refused = [], []
    for instance in locked:
        source_version = instance.process_version.version
        problem = _move(instance, target, user, now)
        if problem is None:
            moved.append((instance, source_version))
        else:
            refused.append(problem)
    return MigrationResult(target, tuple(moved), tuple(refused))
