"""Moving a running instance onto a newer version of its process: SpiffWorkflow's diff and
migrate behind this door (the only module that imports SpiffWorkflow.bpmn.util.diff).

The rule of safety is the library's: an instance may move when no task of it that has run
(COMPLETED, STARTED, or ERROR) has a spec that changed or disappeared in the new version.
Tasks that only wait (READY, WAITING) may have a changed spec: the migration resets them onto
the new spec and predicts what follows again. A waiting task whose spec disappeared cannot be
moved (there would be nothing to wait for), so that is unsafe too. Predicted tasks (FUTURE,
LIKELY, MAYBE) never matter: they are predicted again.

Everything here works on a copy of the state loaded from its serialization; nothing is
changed until the caller stores the new state that migrate_instance returns.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .bpmn import cached_spec
from .runtime import _REGISTRY, EngineError, Step, _advance, _load

# A task in one of these states has run: its spec must not have changed or disappeared.
_RAN = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR
# A task in one of these states waits on its spec: it may change, but not disappear.
_WAITS = TaskState.READY | TaskState.WAITING
# Attributes of a serialized task spec, in plain words for the reasons of a refusal.
ASPECTS = {
    "bpmn_name": "nama",
    "bpmn_id": "id",
    "lane": "lajur",
    "extensions": "properti (formulir, waktu standar, baris SOP)",
    "inputs": "alur masuk",
    "outputs": "alur keluar",
    "documentation": "dokumentasi",
    "cond_task_specs": "kondisi",
    "default_task_spec": "alur bawaan",
    "typename": "jenis elemen",
    "event_definition": "definisi kejadian",
    "manual": "jenis tugas",
}
# SpiffWorkflow's own task specs around every process, in words.
_PSEUDO = {"Start": "awal proses", "End": "akhir proses"}


@dataclass(frozen=True)
class VersionRef:
    """A deployed version as the engine needs it."""

    process_id: str
    sha256: str
    xml: str


@dataclass(frozen=True)
class Blocker:
    """A task of the instance that keeps it from moving."""

    bpmn_id: str
    name: str
    state: str  # "completed", "started", "error", "ready" or "waiting"
    removed: bool  # its spec disappeared (else it changed)
    changes: tuple[str, ...]  # the changed attributes in words (empty when removed)


@dataclass(frozen=True)
class MigrationCheck:
    safe: bool
    blockers: tuple[Blocker, ...]


def _name(spec) -> str:
    if spec.name in _PSEUDO:
        return _PSEUDO[spec.name]
    if spec.name.endswith(".EndJoin"):
        return _PSEUDO["End"]
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _diff(old: VersionRef, new: VersionRef, state: str):
    workflow = _load(old.process_id, old.sha256, old.xml, state)
    new_spec, new_deps = cached_spec(new.process_id, new.sha256, new.xml)
    top, subs = diff_workflow(_REGISTRY, workflow, new_spec, new_deps)
    return workflow, new_spec, new_deps, top, subs


def _changes(task, workflow_diff) -> tuple[str, ...]:
    """The attributes of the task's spec that differ from the spec it is aligned with."""
    aligned = workflow_diff.alignment.get(task)
    if aligned is None:
        return ()
    before, after = _REGISTRY.convert(task.task_spec), _REGISTRY.convert(aligned)
    if before.get("typename") != after.get("typename"):
        return (ASPECTS["typename"],)
    return tuple(ASPECTS.get(key, key) for key, value in before.items()
                 if key != "name" and after.get(key) != value)


def _blockers(workflow_diff) -> list[Blocker]:
    """The tasks of one (sub)workflow that keep it from moving, one per spec."""
    found: dict[tuple[str, bool], Blocker] = {}
    removed = {task.id for task in workflow_diff.removed}
    for task in [*workflow_diff.removed, *workflow_diff.changed]:
        is_removed = task.id in removed
        if not (task.has_state(_RAN) or (is_removed and task.has_state(_WAITS))):
            continue
        spec = task.task_spec
        key = (spec.name, is_removed)
        if key in found and found[key].state == "completed":
            continue
        found[key] = Blocker(
            bpmn_id=getattr(spec, "bpmn_id", None) or spec.name, name=_name(spec),
            state=TaskState.get_name(task.state).lower(), removed=is_removed,
            changes=() if is_removed else _changes(task, workflow_diff),
        )
    return list(found.values())


def _all_blockers(workflow, top, subs) -> list[Blocker]:
    blockers = _blockers(top)
    for sp_id, sp_diff in subs.items():
        if sp_diff is None:  # the subprocess itself is gone from the new version
            owner = workflow.get_task_from_id(sp_id)
            blockers.append(Blocker(
                bpmn_id=getattr(owner.task_spec, "bpmn_id", None) or owner.task_spec.name,
                name=_name(owner.task_spec), state=TaskState.get_name(owner.state).lower(),
                removed=True, changes=(),
            ))
        else:
            blockers.extend(_blockers(sp_diff))
    return blockers


def check_migration(old: VersionRef, new: VersionRef, state: str) -> MigrationCheck:
    """Whether an instance in this state can move from old to new, and what keeps it."""
    workflow, _spec, _deps, top, subs = _diff(old, new, state)
    blockers = _all_blockers(workflow, top, subs)
    return MigrationCheck(safe=not blockers, blockers=tuple(blockers))


def migrate_instance(old: VersionRef, new: VersionRef, state: str) -> Step:
    """The instance's state moved onto the new version, run on to its next wait. Refuses
    (EngineError) when check_migration would say it is unsafe."""
    workflow, new_spec, new_deps, top, subs = _diff(old, new, state)
    if _all_blockers(workflow, top, subs):
        raise EngineError("instans tidak aman dipindahkan ke versi baru")
    migrate_workflow(top, workflow, new_spec)
    for sp_id, sp_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, new_deps[sub.spec.name])
    step = _advance(workflow)
    try:  # what is stored must load again on the new version alone
        _load(new.process_id, new.sha256, new.xml, step.state)
    except Exception as exc:  # noqa: BLE001 - any failure means the move is refused
        raise EngineError(f"status instans tidak dapat dimuat pada versi baru: {exc}") from exc
    return step
