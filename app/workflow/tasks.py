"""The human tasks of an instance: made ready by the engine, claimed, released, saved as a draft,
completed.

Each action locks its instance row, runs the engine, and changes the engine state, the
human-task rows, the instance's read model, the effects' domain rows and the audit trail
together; the caller commits once. The instance's row_version makes a lost update impossible.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload, undefer

from app import policy
from app.core import audit
from app.core.errors import Conflict, Invalid, NotFound
from app.core.models import StoredFile, User, utcnow
from app.engine import EngineError, ProcessModel, Step, TaskNotReady, complete_task
from app.extensions import db

from . import assignment, forms, hooks, notices
from .deadlines import deadlines
from .models import HumanTask, Instance


def _carried_assignee(instance: Instance, bpmn_id: str, role: str, finisher: User | None) -> int | None:
    """Work stays with its people: a step that comes back goes to whoever did it before; the
    next step of the same lane goes to whoever finished the last one. Either may release it."""
    for task in reversed(instance.tasks):
        if task.bpmn_id == bpmn_id and task.completed_by is not None and task.completed_by.active \
                and policy.works_lane(task.completed_by, role):
            return task.completed_by_id
    return finisher.id if finisher is not None and policy.works_lane(finisher, role) else None


def open_ready(instance: Instance, model: ProcessModel, step: Step, now: datetime,
               finisher: User | None = None) -> None:
    """Add a human-task row for every newly ready user task; with no carried assignee, a lane
    set to hand out tasks gives it to its least loaded member; then tell the people."""
    known = {t.id for t in instance.tasks}
    for ready in step.ready:
        if ready.id in known:
            continue
        spec = model.user_tasks[ready.bpmn_id]
        due_at, near_due_at = deadlines(now, spec.hari_kerja)
        task = HumanTask(
            id=ready.id, instance=instance, bpmn_id=ready.bpmn_id, name=ready.name,
            lane=ready.lane, role=spec.role, form=spec.form, created_at=now,
            due_at=due_at, near_due_at=near_due_at,
            assignee_id=_carried_assignee(instance, ready.bpmn_id, spec.role, finisher),
        )
        db.session.add(task)
        if task.assignee_id is None:
            assignment.auto_assign(task, instance.process_version.process_id)
        notices.task_ready(task, now, actor=finisher)


def get_task(task_id: str, viewer) -> HumanTask:
    """A task its viewer may read (404 for anyone who may not read its instance)."""
    task = db.session.get(HumanTask, task_id) if isinstance(task_id, str) else None
    policy.require_known(task is not None and policy.may_read_task(viewer, task), "Tugas tidak ditemukan.")
    return task


def _require_worker(task: HumanTask, user: User) -> None:
    policy.require(policy.may_work_task(user, task),
                   f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")


def _lock(task_id: str, user: User) -> tuple[HumanTask, Instance]:
    """Lock the task's instance and read it, its engine state, its version and its tasks as
    they are now: two statements. The tasks' people and data load only when asked for (the
    people most often from the session's identity map)."""
    if not isinstance(task_id, str):
        raise NotFound("Tugas tidak ditemukan.")
    of_task = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
    instance = db.session.scalars(
        select(Instance).where(Instance.id == of_task).with_for_update(of=Instance)
        .options(undefer(Instance.engine_state), joinedload(Instance.process_version, innerjoin=True),
                 selectinload(Instance.tasks).options(lazyload(HumanTask.assignee),
                                                      lazyload(HumanTask.completed_by),
                                                      defer(HumanTask.data), defer(HumanTask.draft)))
        .execution_options(populate_existing=True)
    ).one_or_none()
    task = next((t for t in instance.tasks if t.id == task_id), None) if instance is not None else None
    policy.require_known(task is not None and policy.may_read_instance(user, instance), "Tugas tidak ditemukan.")
    _require_worker(task, user)
    return task, instance


def _record(action: str, task: HumanTask, user: User, **detail: Any) -> None:
    audit.record(action, user, instance_id=task.instance_id, task_id=task.id, step=task.bpmn_id,
                 name=task.name, **detail)


def _require_open(task: HumanTask, user: User) -> None:
    if task.completed_at is not None:
        raise Conflict("Tugas ini sudah diselesaikan.")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise Conflict(f"Tugas ini sedang dikerjakan oleh {task.assignee.full_name}.")


def claim(task_id: str, user: User) -> HumanTask:
    task, _instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        _record("task.claim", task, user, before={"assignee": None}, after={"assignee": user.username})
    db.session.flush()
    return task


def release(task_id: str, user: User) -> HumanTask:
    task, _instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id == user.id:
        task.assignee_id = None
        _record("task.release", task, user, before={"assignee": user.username}, after={"assignee": None})
    db.session.flush()
    return task


def save_draft(task_id: str, data: dict[str, Any], user: User) -> HumanTask:
    """Keep what was typed without completing; saving takes the task for the user."""
    task, _instance = _lock(task_id, user)
    _require_open(task, user)
    task.assignee_id, task.draft = user.id, dict(data)
    _record("task.draft", task, user, after=dict(data))
    db.session.flush()
    return task


def form_of(task: HumanTask) -> dict[str, Any]:
    """The task's JSON Schema with its dynamic enums filled from their sources as they are now."""
    schema = task.instance.process_version.forms.get(task.form or "", {"type": "object"})
    return forms.fill_dynamic(schema, hooks.enum_sources())


def _check_files(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    errors = {}
    for name, accepted in forms.file_fields(schema).items():
        if name not in data or not isinstance(data[name], str):
            continue
        stored = db.session.get(StoredFile, data[name])
        if stored is None:
            errors[name] = "berkas tidak ditemukan; unggah ulang"
        elif accepted and stored.content_type not in accepted:
            errors[name] = "jenis berkas tidak diterima untuk isian ini"
    return errors


def complete(task_id: str, data: Any, user: User, *, now: datetime | None = None) -> Instance:
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    schema = form_of(task)
    errors = forms.validate(schema, data)
    if not errors:
        errors = _check_files(schema, data)
    if errors:
        raise Invalid("Isian formulir belum benar.", errors)
    version = instance.process_version
    try:
        step = complete_task(version.process_id, version.sha256, lambda: version.bpmn_xml,
                             instance.engine_state, task.id, data)
    except TaskNotReady:
        raise Conflict("Tugas ini tidak lagi menunggu untuk dikerjakan.") from None
    except EngineError as exc:
        raise Conflict(f"Proses tidak dapat dilanjutkan: {exc}") from None
    now = now or utcnow()
    model = version.model
    task.assignee_id, task.completed_at, task.completed_by, task.data = user.id, now, user, dict(data)
    instance.engine_state = step.state
    instance.data = {**instance.data, **data}
    if step.completed:
        instance.state, instance.completed_at = "completed", now
    _record("task.complete", task, user, data=dict(data), after=dict(data))
    effect = model.user_tasks[task.bpmn_id].effect
    if effect:
        hooks.run_effect(effect, instance, user, now)
    open_ready(instance, model, step, now, finisher=user)
    db.session.flush()  # a concurrent change surfaces here as StaleDataError: 409
    return instance


def last_data_of_step(task: HumanTask) -> dict[str, Any]:
    """What was submitted the last time this step was done in this instance: a revision
    starts from the previous version instead of from nothing (unless its form says
    "x-prefill": false, as a decision that must be made afresh does)."""
    if form_of(task).get("x-prefill") is False:
        return {}
    run = task.instance
    while run is not None:  # a correction starts from the work of the run it corrects
        for earlier in reversed(run.tasks):
            if earlier.bpmn_id == task.bpmn_id and earlier.completed_at is not None:
                return dict(earlier.data or {})
        run = run.revision_of
    return {}


def next_task_for(instance: Instance, user: User) -> HumanTask | None:
    """The instance's ready task that this user may take up next, if any."""
    for task in instance.tasks:
        if task.completed_at is None and policy.may_work_task(user, task) and task.assignee_id in (None, user.id):
            return task
    return None


def sent_back_by(task: HumanTask) -> tuple[HumanTask, str | None] | None:
    """The decision that sent this task's work back, and its notes: the last finished step
    whose decision (from the model) says the work comes back, finished before this task became
    ready."""
    decisions = task.instance.process_version.model.decisions()
    done = [t for t in task.instance.tasks if t.completed_at is not None and t.bpmn_id in decisions]
    decided = max(done, key=lambda t: t.completed_at, default=None)
    if decided is None or decided.completed_at > task.created_at:
        return None
    decision = decisions[decided.bpmn_id]
    return (decided, decision.notes(decided.data)) if decision.sends_back(decided.data) else None
