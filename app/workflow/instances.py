"""Runs of a process: started by a person (or by the application for the public), read with the
data and the trail their reader may see, listed newest first."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select

from app import policy
from app.core import audit
from app.core.errors import Invalid
from app.core.keys import by_id
from app.core.models import AuditEvent, User, utcnow
from app.core.paging import page_of
from app.core.workcal import WIB
from app.engine import start_workflow
from app.extensions import db

from . import processes
from .deadlines import deadlines, timeliness_clause
from .models import Instance
from .tasks import open_ready


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


def start(process_id: str, title: str, user: User | None, *, data: Mapping[str, Any] | None = None,
          revision_of: Instance | None = None, correction_note: str = "",
          now: datetime | None = None) -> Instance:
    """Start the newest version of a process. ``user`` None is the application itself acting
    for the public (a complaint sent through the portal); callers check what it may start."""
    version, title, errors = check_start(process_id, title)
    if version is not None and user is not None:
        policy.require(policy.may_start(user, version.model), "Peran Anda tidak dapat memulai proses ini.")
    if errors:
        raise Invalid("Proses tidak dapat dimulai.", errors)
    now = now or utcnow()
    model = version.model
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
    open_ready(instance, model, step, now, finisher=user)
    audit.record("instance.start", user, instance_id=instance.id, title=title,
                 process=version.process_id, version=version.version,
                 **({"revision_of": revision_of.id} if revision_of else {}))
    db.session.flush()
    return instance


def get_instance(instance_id: int, viewer) -> Instance:
    """An instance its viewer may read (404 for anyone else)."""
    instance = by_id(Instance, instance_id)
    policy.require_known(instance is not None and policy.may_read_instance(viewer, instance),
                         "Instans tidak ditemukan.")
    return instance


def instance_page(viewer, page_no: int, per_page: int, *, state: str | None = None,
                  overdue_at: datetime | None = None, month: tuple[int, int] | None = None, search: str = "",
                  timeliness: str | None = None, now: datetime | None = None) -> tuple[list[Instance], int]:
    """The instances the viewer may read, newest first; timeliness (on_time, near_due, overdue
    at now) judges a finished instance at its finish, as deadlines.timeliness() does."""
    query = (select(Instance).where(policy.instances_visible(viewer))
             .order_by(Instance.created_at.desc(), Instance.id.desc()))
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


class Event(NamedTuple):
    """An event of an instance's trail as its reader sees it."""

    at: datetime
    username: str | None
    full_name: str | None
    action: str
    task_id: str | None
    detail: Any


def history(instance: Instance, viewer) -> list[Event]:
    """The instance's trail, oldest first, without the private fields the viewer may not see:
    what the screens and the API show of it, read in one statement without building an object
    per event."""
    hidden = policy.hidden_fields(viewer, instance.process_version)
    rows = db.session.execute(
        select(AuditEvent.at, User.username, User.full_name, AuditEvent.action, AuditEvent.task_id,
               AuditEvent.detail)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id)
    ).all()
    return [Event(*row[:5], policy.redact(row.detail, hidden)) for row in rows]


def visible_data(instance: Instance, viewer) -> dict[str, Any]:
    """The instance's data as its viewer may see it."""
    return policy.visible_data(viewer, instance.process_version, instance.data)
