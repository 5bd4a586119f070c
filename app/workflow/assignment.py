"""Lanes that hand new tasks to their least loaded member instead of waiting for a claim."""
from __future__ import annotations

from sqlalchemy import func, select

from app import policy
from app.core import audit, users
from app.core.errors import Invalid
from app.core.models import User
from app.extensions import db

from .models import HumanTask, Instance, LaneSetting, ProcessVersion


def lanes() -> list[tuple[ProcessVersion, str, str]]:
    """(latest version, lane, role) of every deployed process, in the model's order."""
    latest = db.session.scalars(
        select(ProcessVersion).where(ProcessVersion.id.in_(
            select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)))
        .order_by(ProcessVersion.process_id)
    ).all()
    return [(version, lane, role) for version in latest for lane, role in version.model.lanes.items()]


def settings() -> dict[tuple[str, str], bool]:
    return {(s.process_id, s.lane): s.auto_assign for s in db.session.scalars(select(LaneSetting))}


def set_auto_assign(process_id: str, lane: str, on: bool, actor: User) -> LaneSetting:
    """Turn on or off handing a lane's new tasks to its least loaded member; audited."""
    policy.require(policy.may_administer_processes(actor), "Hanya Admin yang dapat mengubah cara pembagian tugas.")
    if not any(v.process_id == process_id and name == lane for v, name, _role in lanes()):
        raise Invalid("Lajur tidak dikenal.", {"lane": f"lajur '{lane}' tidak ada pada proses '{process_id}'"})
    setting = db.session.scalar(select(LaneSetting).where(LaneSetting.process_id == process_id,
                                                          LaneSetting.lane == lane))
    if setting is None:
        setting = LaneSetting(process_id=process_id, lane=lane, auto_assign=False)
        db.session.add(setting)
    before = bool(setting.auto_assign)
    if before != on:
        setting.auto_assign = on
        audit.record("lane.auto_assign", actor, process=process_id, lane=lane,
                     before={"auto_assign": before}, after={"auto_assign": on})
    db.session.flush()
    return setting


def open_load(user_ids: list[int]) -> dict[int, int]:
    """Open tasks held by each of the people (in running instances)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(HumanTask.assignee_id, func.count()).join(Instance, HumanTask.instance_id == Instance.id)
        .where(HumanTask.completed_at.is_(None), Instance.state == "running",
               HumanTask.assignee_id.in_(user_ids))
        .group_by(HumanTask.assignee_id)
    ).all()
    return {uid: count for uid, count in rows}


def auto_assign(task: HumanTask, process_id: str) -> User | None:
    """When the task's lane hands out new tasks, give it to the active member of its role with
    the fewest open tasks (ties: the alphabetically first username); audited."""
    setting = db.session.scalar(select(LaneSetting).where(LaneSetting.process_id == process_id,
                                                          LaneSetting.lane == task.lane))
    if setting is None or not setting.auto_assign:
        return None
    members = users.holding(task.role)
    if not members:
        return None
    load = open_load([m.id for m in members])
    chosen = min(members, key=lambda m: (load.get(m.id, 0), m.username))
    task.assignee_id = chosen.id
    audit.record("task.auto_assign", None, instance_id=task.instance.id, task_id=task.id, step=task.bpmn_id,
                 name=task.name, assignee=chosen.username, open_tasks=load.get(chosen.id, 0))
    return chosen
