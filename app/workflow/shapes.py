"""How process versions, instances, tasks and their trail look in JSON."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.core import users
from app.core.models import utcnow
from app.core.workcal import iso

from .deadlines import timeliness
from .models import HumanTask, Instance, ProcessVersion


def task(t: HumanTask, now: datetime | None = None, *, usernames: Mapping[int, str] | None = None,
         instance_title: str | None = None) -> dict[str, Any]:
    """A task. An instance's answer lists all its tasks: it gives `usernames` (user id ->
    username) and the title, so that nothing is loaded task by task."""
    now = now or utcnow()
    if usernames is None:
        assignee = t.assignee.username if t.assignee else None
        completed_by = t.completed_by.username if t.completed_by else None
    else:
        assignee, completed_by = usernames.get(t.assignee_id), usernames.get(t.completed_by_id)
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "instance_title": t.instance.title if instance_title is None else instance_title,
        "bpmn_id": t.bpmn_id,
        "name": t.name,
        "lane": t.lane,
        "state": "completed" if t.completed_at else "ready",
        "assignee": assignee,
        "created_at": iso(t.created_at),
        "due_at": iso(t.due_at),
        "overdue": (t.completed_at or now) > t.due_at,
        "timeliness": timeliness(t.due_at, t.near_due_at, t.completed_at, now),
        "completed_at": iso(t.completed_at),
        "completed_by": completed_by,
    }


def event(e) -> dict[str, Any]:
    """An event of the trail (instances.Event)."""
    return {"at": iso(e.at), "user": e.username, "action": e.action, "task_id": e.task_id, "detail": e.detail}


def instance(i: Instance, data: Mapping[str, Any], history) -> dict[str, Any]:
    """An instance with the data and the trail its reader may see."""
    now = utcnow()
    usernames = users.usernames({t.assignee_id for t in i.tasks} | {t.completed_by_id for t in i.tasks})
    return {
        "id": i.id,
        "process": i.process_version.process_id,
        "process_version": i.process_version.version,
        "title": i.title,
        "state": i.state,
        "data": data,
        "created_at": iso(i.created_at),
        "completed_at": iso(i.completed_at),
        "due_at": iso(i.due_at),
        "overdue": (i.completed_at or now) > i.due_at,
        "timeliness": timeliness(i.due_at, i.near_due_at, i.completed_at, now),
        "tasks": [task(t, now, usernames=usernames, instance_title=i.title) for t in i.tasks],
        "history": [event(e) for e in history],
    }


def version(v: ProcessVersion, running: int) -> dict[str, Any]:
    return {"version": v.version, "sha256": v.sha256, "deployed_at": iso(v.deployed_at),
            "notes": v.notes, "forms": sorted(v.forms), "running_instances": running}
