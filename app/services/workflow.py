"""Instances and their human tasks: start, claim, release, complete.

Each action locks its instance row, runs the engine, and changes the engine state, the
human-task rows, the instance's read model, the domain rows and the audit trail together;
the caller commits once. The instance's row_version makes a lost update impossible.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping

from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload

from .. import forms
from ..engine import EngineError, ProcessModel, Step, TaskNotReady, complete_task, start_workflow
from ..extensions import db
from ..models import AuditEvent, HumanTask, Instance, StoredFile, User, utcnow
from ..workcal import WorkCalendar
from . import audit, datasets, processes, publications
from .errors import Conflict, Forbidden, Invalid, NotFound
from .paging import page_of

START_ROLES = ("admin", "redaktur")
OVERSIGHT_ROLES = ("admin", "pengawas")
ENUM_SOURCES = {"datasets": datasets.choices}
EFFECTS = {"publish": publications.publish}


@lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    return WorkCalendar()


def _sync_ready(instance: Instance, model: ProcessModel, step: Step, now: datetime) -> None:
    """Add a human-task row for every newly ready user task."""
    known = {t.id for t in instance.tasks}
    for ready in step.ready:
        if ready.id in known:
            continue
        spec = model.user_tasks[ready.bpmn_id]
        task = HumanTask(
            id=ready.id, instance=instance, bpmn_id=ready.bpmn_id, name=ready.name,
            lane=ready.lane, role=spec.role, form=spec.form, created_at=now,
            due_at=calendar().due_at(now, spec.hari_kerja),
        )
        db.session.add(task)


def start(process_id: str, title: str, user: User, *, now: datetime | None = None) -> Instance:
    if not user.has_role(*START_ROLES):
        raise Forbidden("Hanya Redaktur dan Admin yang dapat memulai publikasi.")
    title = title.strip() if isinstance(title, str) else ""
    errors = {}
    if not title:
        errors["title"] = "wajib diisi"
    elif len(title) > 255:
        errors["title"] = "paling banyak 255 karakter"
    version = processes.latest(process_id) if isinstance(process_id, str) else None
    if version is None:
        errors["process"] = f"proses '{process_id}' tidak dikenal"
    if errors:
        raise Invalid("Publikasi tidak dapat dimulai.", errors)
    now = now or utcnow()
    model = processes.model_of(version)
    step = start_workflow(version.process_id, version.sha256, version.bpmn_xml)
    instance = Instance(
        process_version=version, title=title, state="completed" if step.completed else "running",
        data={}, engine_state=step.state, started_by_id=user.id, created_at=now,
        due_at=calendar().due_at(now, model.hari_kerja),
    )
    db.session.add(instance)
    db.session.flush()
    _sync_ready(instance, model, step, now)
    audit.record("instance.start", user, instance_id=instance.id, title=title,
                 process=version.process_id, version=version.version)
    db.session.flush()
    return instance


def get_instance(instance_id: int) -> Instance:
    instance = db.session.get(Instance, instance_id)
    if instance is None:
        raise NotFound("Instans tidak ditemukan.")
    return instance


def get_task(task_id: str) -> HumanTask:
    task = db.session.get(HumanTask, task_id) if isinstance(task_id, str) else None
    if task is None:
        raise NotFound("Tugas tidak ditemukan.")
    return task


def may_work_on(task: HumanTask, user: User) -> bool:
    return user.has_role(task.role)


def may_view(task: HumanTask, user: User) -> bool:
    return may_work_on(task, user) or user.has_role(*OVERSIGHT_ROLES)


def _require_worker(task: HumanTask, user: User) -> None:
    if not may_work_on(task, user):
        raise Forbidden(f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")


def _lock(task_id: str, user: User) -> tuple[HumanTask, Instance]:
    """Lock the task's instance, then read the task as it is now."""
    task = get_task(task_id)
    _require_worker(task, user)
    instance = db.session.scalars(
        select(Instance).where(Instance.id == task.instance_id)
        .with_for_update(of=Instance).execution_options(populate_existing=True)
    ).one()
    db.session.refresh(task)
    return task, instance


def _require_open(task: HumanTask, user: User) -> None:
    if task.completed_at is not None:
        raise Conflict("Tugas ini sudah diselesaikan.")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise Conflict(f"Tugas ini sedang dikerjakan oleh {task.assignee.full_name}.")


def claim(task_id: str, user: User) -> HumanTask:
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        audit.record("task.claim", user, instance_id=instance.id, task_id=task.id, step=task.bpmn_id)
    db.session.flush()
    return task


def release(task_id: str, user: User) -> HumanTask:
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id == user.id:
        task.assignee_id = None
        audit.record("task.release", user, instance_id=instance.id, task_id=task.id, step=task.bpmn_id)
    db.session.flush()
    return task


def form_of(task: HumanTask) -> dict[str, Any]:
    """The task's JSON Schema with its dynamic enums filled from the catalog as it is now."""
    schema = task.instance.process_version.forms.get(task.form or "", {"type": "object"})
    return forms.fill_dynamic(schema, ENUM_SOURCES)


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
        step = complete_task(version.process_id, version.sha256, version.bpmn_xml,
                             instance.engine_state, task.id, data)
    except TaskNotReady:
        raise Conflict("Tugas ini tidak lagi menunggu untuk dikerjakan.") from None
    except EngineError as exc:
        raise Conflict(f"Proses tidak dapat dilanjutkan: {exc}") from None
    now = now or utcnow()
    model = processes.model_of(version)
    task.assignee_id, task.completed_at, task.completed_by_id, task.data = user.id, now, user.id, dict(data)
    instance.engine_state = step.state
    instance.data = {**instance.data, **data}
    if step.completed:
        instance.state, instance.completed_at = "completed", now
    audit.record("task.complete", user, instance_id=instance.id, task_id=task.id, step=task.bpmn_id,
                 data=dict(data))
    effect = model.user_tasks[task.bpmn_id].effect
    if effect:
        EFFECTS[effect](instance, user, now)
    _sync_ready(instance, model, step, now)
    db.session.flush()  # a concurrent change surfaces here as StaleDataError: 409
    return instance


# Read models -----------------------------------------------------------------------------

def task_query(user: User, scope: str):
    """Open tasks a user sees: 'mine' (claimed by me or unclaimed in my lanes), 'lane' (all
    of my lanes), 'all' (every open task; oversight roles only)."""
    query = select(HumanTask).where(HumanTask.completed_at.is_(None))
    if scope == "all" and user.has_role(*OVERSIGHT_ROLES):
        return query
    query = query.where(HumanTask.role.in_(sorted(user.roles)))
    if scope == "mine":
        query = query.where(or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id))
    return query


def task_page(user: User, scope: str, page_no: int, per_page: int) -> tuple[list[HumanTask], int]:
    mine_first = case((HumanTask.assignee_id == user.id, 0), (HumanTask.assignee_id.is_(None), 1), else_=2)
    query = (task_query(user, scope).order_by(mine_first, HumanTask.due_at, HumanTask.id)
             .options(joinedload(HumanTask.instance).load_only(Instance.title)))
    return page_of(query, page_no, per_page)


def history(instance: Instance):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id)
    ).all()
