"""Moving the running instances of a process to a newer version: a dry run first, then the
move of those that can go. Moving an instance is the engine's call (app.engine.migration,
SpiffWorkflow's diff and migrate): an instance moves only when no step it has already done
changed or disappeared; each one moves under its lock, its waiting tasks taking the new name,
lane and form, audited as ``instance.migrate``."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import policy
from app.core import audit
from app.core.models import User, utcnow
from app.engine import EngineError, VersionRef, check_migration, migrate_instance
from app.extensions import db
from app.workflow import processes
from app.workflow.deadlines import deadlines
from app.workflow.models import HumanTask, Instance, ProcessVersion

from .history import get_version

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
