"""Instances and their human tasks: start, claim, release, complete.

Each action locks its instance row, runs the engine, and changes the engine state, the
human-task rows, the instance's read model, the domain rows and the audit trail together;
the caller commits once. The instance's row_version makes a lost update impossible.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload, undefer

from app.catalog import datasets
from app.core import audit
from app.core.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from app.core.keys import by_id
from app.core.models import AuditEvent, StoredFile, User, utcnow
from app.core.paging import page_of
from app.core.workcal import HOURS_PER_WORKDAY, WIB, WorkCalendar
from app.engine import EngineError, ProcessModel, Step, TaskNotReady, complete_task, start_workflow
from app.extensions import db
from app.publishing import corrections, publications

from . import forms, processes
from .models import HumanTask, Instance, ProcessVersion

OVERSIGHT_ROLES = ("admin", "pengawas")
ENUM_SOURCES = {"datasets": datasets.choices}
EFFECTS = {"publish": publications.publish, "revise": corrections.revise}


NEAR_DUE_HOURS = 2  # less service time than this left: "near due"


def calendar() -> WorkCalendar:
    """The service calendar as the database holds it now (admin closed days, special hours)."""
    from app.core.calendar import current

    return current()


def deadlines(start: datetime, hari_kerja: float, cal: WorkCalendar | None = None) -> tuple[datetime, datetime]:
    """The due moment of a standard counted from start, and the moment it becomes near due."""
    cal = cal or calendar()
    hours = hari_kerja * HOURS_PER_WORKDAY
    return cal.add_service_hours(start, hours), cal.add_service_hours(start, max(hours - NEAR_DUE_HOURS, 0))


def timeliness(due_at: datetime, near_due_at: datetime | None, completed_at: datetime | None,
               now: datetime) -> str:
    """on_time, near_due or overdue; a finished piece of work is judged at its finish."""
    moment = completed_at or now
    if moment > due_at:
        return "overdue"
    if completed_at is None and near_due_at is not None and now >= near_due_at:
        return "near_due"
    return "on_time"


TIMELINESS_STATES = ("on_time", "near_due", "overdue")


def timeliness_clause(model, state: str, now: datetime):
    """timeliness() as SQL, for a model with due_at, near_due_at and completed_at."""
    done, waiting = model.completed_at.is_not(None), model.completed_at.is_(None)
    if state == "overdue":
        return or_(and_(done, model.completed_at > model.due_at), and_(waiting, model.due_at < now))
    if state == "near_due":
        return and_(waiting, model.due_at >= now, model.near_due_at.is_not(None), model.near_due_at <= now)
    if state == "on_time":
        return or_(and_(done, model.completed_at <= model.due_at),
                   and_(waiting, model.due_at >= now, or_(model.near_due_at.is_(None), model.near_due_at > now)))
    raise BadRequest("timeliness harus salah satu dari " + ", ".join(TIMELINESS_STATES) + ".")


def _carried_assignee(instance: Instance, bpmn_id: str, role: str, finisher: User | None) -> int | None:
    """Work stays with its people: a step that comes back goes to whoever did it before; the
    next step of the same lane goes to whoever finished the last one. Either may release it."""
    for task in reversed(instance.tasks):
        if task.bpmn_id == bpmn_id and task.completed_by is not None and task.completed_by.active \
                and task.completed_by.has_role(role):
            return task.completed_by_id
    return finisher.id if finisher is not None and finisher.has_role(role) else None


def _sync_ready(instance: Instance, model: ProcessModel, step: Step, now: datetime,
                finisher: User | None = None) -> None:
    """Add a human-task row for every newly ready user task; with no carried assignee, a lane
    set to hand out tasks gives it to its least loaded member; then tell the people."""
    from . import assignment as workload
    from . import notices as notifications

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
            workload.auto_assign(task, instance.process_version.process_id)
        notifications.task_ready(task, now, actor=finisher)


def check_start(process_id: Any, title: Any):
    """The version to start and the title, or the reasons why not (field -> message)."""
    title = title.strip() if isinstance(title, str) else ""
    errors = {}
    if not title:
        errors["title"] = "wajib diisi"
    elif len(title) > 255:
        errors["title"] = "paling banyak 255 karakter"
    version = processes.latest(process_id) if isinstance(process_id, str) else None
    if version is None:
        errors["process"] = f"proses '{process_id}' tidak dikenal"
    return version, title, errors


def may_start(model: ProcessModel, user: User) -> bool:
    """Whoever works the lane of the start event may start a process; admins any."""
    return user.has_role("admin") or (model.start_role is not None and user.has_role(model.start_role))


def start(process_id: str, title: str, user: User | None, *, data: Mapping[str, Any] | None = None,
          revision_of: Instance | None = None, correction_note: str = "",
          now: datetime | None = None) -> Instance:
    """Start the newest version of a process. ``user`` None is the application itself acting
    for the public (a complaint sent through the portal); callers check what it may start."""
    version, title, errors = check_start(process_id, title)
    if version is not None and user is not None and not may_start(processes.model_of(version), user):
        raise Forbidden("Peran Anda tidak dapat memulai proses ini.")
    if errors:
        raise Invalid("Proses tidak dapat dimulai.", errors)
    now = now or utcnow()
    model = processes.model_of(version)
    step = start_workflow(version.process_id, version.sha256, lambda: version.bpmn_xml, dict(data or {}))
    due_at, near_due_at = deadlines(now, model.hari_kerja)
    instance = Instance(
        process_version=version, title=title, state="completed" if step.completed else "running",
        data=dict(data or {}), engine_state=step.state, started_by_id=user.id if user else None,
        created_at=now, due_at=due_at, near_due_at=near_due_at,
        revision_of=revision_of, correction_note=correction_note,
    )
    db.session.add(instance)
    db.session.flush()
    _sync_ready(instance, model, step, now, finisher=user)
    audit.record("instance.start", user, instance_id=instance.id, title=title,
                 process=version.process_id, version=version.version,
                 **({"revision_of": revision_of.id} if revision_of else {}))
    db.session.flush()
    return instance


def get_instance(instance_id: int) -> Instance:
    instance = by_id(Instance, instance_id)
    if instance is None:
        raise NotFound("Instans tidak ditemukan.")
    return instance


def get_task(task_id: str) -> HumanTask:
    task = db.session.get(HumanTask, task_id) if isinstance(task_id, str) else None
    if task is None:
        raise NotFound("Tugas tidak ditemukan.")
    return task


def works_a_lane(user: User) -> bool:
    """Whether some lane of the deployed processes belongs to one of the user's roles."""
    latest = processes.models_of(select(ProcessVersion).where(ProcessVersion.id.in_(
        select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id))))
    return any(not user.roles.isdisjoint(model.lanes.values()) for model in latest)


def may_work_on(task: HumanTask, user: User) -> bool:
    return user.has_role(task.role)


def may_view(task: HumanTask, user: User) -> bool:
    return may_work_on(task, user) or user.has_role(*OVERSIGHT_ROLES)


def _require_worker(task: HumanTask, user: User) -> None:
    if not may_work_on(task, user):
        raise Forbidden(f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")


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
    if task is None:
        raise NotFound("Tugas tidak ditemukan.")
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
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        _record("task.claim", task, user, before={"assignee": None}, after={"assignee": user.username})
    db.session.flush()
    return task


def release(task_id: str, user: User) -> HumanTask:
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    if task.assignee_id == user.id:
        task.assignee_id = None
        _record("task.release", task, user, before={"assignee": user.username}, after={"assignee": None})
    db.session.flush()
    return task


def save_draft(task_id: str, data: dict[str, Any], user: User) -> HumanTask:
    """Keep what was typed without completing; saving takes the task for the user."""
    task, instance = _lock(task_id, user)
    _require_open(task, user)
    task.assignee_id, task.draft = user.id, dict(data)
    _record("task.draft", task, user, after=dict(data))
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
        step = complete_task(version.process_id, version.sha256, lambda: version.bpmn_xml,
                             instance.engine_state, task.id, data)
    except TaskNotReady:
        raise Conflict("Tugas ini tidak lagi menunggu untuk dikerjakan.") from None
    except EngineError as exc:
        raise Conflict(f"Proses tidak dapat dilanjutkan: {exc}") from None
    now = now or utcnow()
    model = processes.model_of(version)
    task.assignee_id, task.completed_at, task.completed_by, task.data = user.id, now, user, dict(data)
    instance.engine_state = step.state
    instance.data = {**instance.data, **data}
    if step.completed:
        instance.state, instance.completed_at = "completed", now
    _record("task.complete", task, user, data=dict(data), after=dict(data))
    effect = model.user_tasks[task.bpmn_id].effect
    if effect:
        EFFECTS[effect](instance, user, now)
    _sync_ready(instance, model, step, now, finisher=user)
    db.session.flush()  # a concurrent change surfaces here as StaleDataError: 409
    return instance


# Read models -----------------------------------------------------------------------------

def task_query(user: User, scope: str, *, step: str | None = None, overdue_at: datetime | None = None,
               timeliness: str | None = None, now: datetime | None = None):
    """Open tasks a user sees: 'mine' (claimed by me or unclaimed in my lanes), 'lane' (all
    of my lanes), 'all' (every open task; oversight roles only); optionally one step only,
    only those overdue at the given moment, or only those in one state of timeliness
    (on_time, near_due, overdue) at now."""
    query = select(HumanTask).where(HumanTask.completed_at.is_(None))
    if step:
        query = query.where(HumanTask.bpmn_id == step)
    if overdue_at is not None:
        query = query.where(HumanTask.due_at < overdue_at)
    if timeliness:
        query = query.where(timeliness_clause(HumanTask, timeliness, now or utcnow()))
    if scope == "all" and user.has_role(*OVERSIGHT_ROLES):
        return query
    query = query.where(HumanTask.role.in_(sorted(user.roles)))
    if scope == "mine":
        query = query.where(or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id))
    return query


def count_tasks(user: User, scope: str) -> int:
    return db.session.scalar(select(func.count()).select_from(task_query(user, scope).subquery()))


def task_page(user: User, scope: str, page_no: int, per_page: int, **filters) -> tuple[list[HumanTask], int]:
    """Mine first, then unclaimed, then claimed by colleagues; the most urgent first."""
    mine_first = case((HumanTask.assignee_id == user.id, 0), (HumanTask.assignee_id.is_(None), 1), else_=2)
    query = (task_query(user, scope, **filters).order_by(mine_first, HumanTask.due_at, HumanTask.id)
             .options(joinedload(HumanTask.instance).load_only(Instance.title)))
    return page_of(query, page_no, per_page)


def step_names() -> list[tuple[str, str]]:
    """The user-task steps of every deployed version, for filters: (bpmn_id, name), a step
    named as its newest version names it. Read from the cached models, not from the tasks, so
    it costs the same with a thousand instances or a million."""
    names: dict[str, str] = {}
    for model in processes.models_of(select(ProcessVersion).order_by(ProcessVersion.id)):
        for bpmn_id, spec in model.user_tasks.items():
            names[bpmn_id] = spec.name
    return sorted(names.items(), key=lambda r: r[1])


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
        if task.completed_at is None and may_work_on(task, user) and task.assignee_id in (None, user.id):
            return task
    return None


def instance_page(page_no: int, per_page: int, *, state: str | None = None, overdue_at: datetime | None = None,
                  month: tuple[int, int] | None = None, search: str = "", timeliness: str | None = None,
                  now: datetime | None = None) -> tuple[list[Instance], int]:
    """Instances, newest first; timeliness (on_time, near_due, overdue at now) judges a
    finished instance at its finish, as timeliness() does."""
    query = select(Instance).order_by(Instance.created_at.desc(), Instance.id.desc())
    if state:
        query = query.where(Instance.state == state)
    if overdue_at is not None:
        query = query.where(Instance.state == "running", Instance.due_at < overdue_at)
    if timeliness:
        query = query.where(timeliness_clause(Instance, timeliness, now or utcnow()))
    if month:
        year, number = month
        start_at = datetime(year, number, 1, tzinfo=WIB)
        end_at = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=WIB)
        query = query.where(Instance.created_at >= start_at, Instance.created_at < end_at)
    if search.strip():
        query = query.where(func.lower(Instance.title).contains(search.strip().lower(), autoescape=True))
    return page_of(query, page_no, per_page)


def history_rows(instance_id: int):
    """The instance's trail as plain rows (at, username, full_name, action, task_id, detail),
    oldest first: what the screens and the API show of it, read in one statement without
    building an object per event."""
    return db.session.execute(
        select(AuditEvent.at, User.username, User.full_name, AuditEvent.action, AuditEvent.task_id,
               AuditEvent.detail)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
    ).all()
