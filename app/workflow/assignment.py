"""Workload: open tasks per person and lane by state, and the lanes that hand new tasks to
their least loaded member instead of waiting for a claim."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.errors import Forbidden, Invalid
from app.core.models import User
from app.core.paging import page_of
from app.extensions import db

from . import processes
from .models import HumanTask, Instance, LaneSetting, ProcessVersion
from .notices import members_of

VIEW_ROLES = ("redaktur", "pengawas", "admin")
STATES = ("on_time", "near_due", "overdue")


@dataclass
class Row:
    user: User | None  # None: not yet claimed by anyone
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Lane:
    process_id: str
    process_name: str
    name: str
    role: str
    auto_assign: bool
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def require_viewer(user: User) -> None:
    if not user.has_role(*VIEW_ROLES):
        raise Forbidden("Beban kerja hanya untuk Redaktur, Pengawas dan Admin.")


def _state(now: datetime):
    """The state of an open task at now, in SQL (the same rule as workflow.timeliness)."""
    return case(
        (HumanTask.due_at < now, "overdue"),
        (and_(HumanTask.near_due_at.is_not(None), HumanTask.near_due_at <= now), "near_due"),
        else_="on_time",
    )


def _open_tasks():
    return (select(HumanTask).join(Instance, HumanTask.instance_id == Instance.id)
            .join(ProcessVersion, Instance.process_version_id == ProcessVersion.id)
            .where(HumanTask.completed_at.is_(None), Instance.state == "running"))


def lanes() -> list[tuple[ProcessVersion, str, str]]:
    """(latest version, lane, role) of every deployed process, in the model's order."""
    latest = db.session.scalars(
        select(ProcessVersion).where(ProcessVersion.id.in_(
            select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)))
        .order_by(ProcessVersion.process_id)
    ).all()
    return [(version, lane, role) for version in latest for lane, role in processes.model_of(version).lanes.items()]


def settings() -> dict[tuple[str, str], bool]:
    return {(s.process_id, s.lane): s.auto_assign for s in db.session.scalars(select(LaneSetting))}


def overview(now: datetime) -> list[Lane]:
    """Every lane with a row per member (idle ones too), per other holder of its open tasks,
    and one for its unclaimed tasks; open tasks counted by state at now."""
    state = _state(now)
    counted = db.session.execute(
        select(ProcessVersion.process_id, HumanTask.lane, HumanTask.assignee_id, state, func.count())
        .select_from(HumanTask).join(Instance, HumanTask.instance_id == Instance.id)
        .join(ProcessVersion, Instance.process_version_id == ProcessVersion.id)
        .where(HumanTask.completed_at.is_(None), Instance.state == "running")
        .group_by(ProcessVersion.process_id, HumanTask.lane, HumanTask.assignee_id, state)
    ).all()
    by_lane: dict[tuple[str, str], dict[int | None, dict[str, int]]] = {}
    for process_id, lane, assignee_id, task_state, count in counted:
        counts = by_lane.setdefault((process_id, lane), {}).setdefault(assignee_id, dict.fromkeys(STATES, 0))
        counts[task_state] += count
    auto = settings()
    result = []
    for version, lane, role in lanes():
        found = by_lane.get((version.process_id, lane), {})
        people = {u.id: u for u in members_of(role)}
        others = [uid for uid in found if uid is not None and uid not in people]
        people.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))})
        rows = [Row(user, dict(found.get(uid, dict.fromkeys(STATES, 0))))
                for uid, user in sorted(people.items(), key=lambda item: item[1].username)]
        rows.append(Row(None, dict(found.get(None, dict.fromkeys(STATES, 0)))))
        result.append(Lane(version.process_id, version.name, lane, role,
                           auto.get((version.process_id, lane), False), rows))
    return result


def task_page(now: datetime, page_no: int, per_page: int, *, process_id: str, lane: str,
              username: str | None, state: str | None) -> tuple[list[HumanTask], int]:
    """The open tasks behind one figure of the overview; username None: the unclaimed ones."""
    query = (_open_tasks().where(ProcessVersion.process_id == process_id, HumanTask.lane == lane)
             .options(joinedload(HumanTask.instance).load_only(Instance.title))
             .order_by(HumanTask.due_at, HumanTask.id))
    if username is None:
        query = query.where(HumanTask.assignee_id.is_(None))
    else:
        query = query.where(HumanTask.assignee_id == select(User.id).where(User.username == username)
                            .scalar_subquery())
    if state in STATES:
        query = query.where(_state(now) == state)
    return page_of(query, page_no, per_page)


def set_auto_assign(process_id: str, lane: str, on: bool, actor: User) -> LaneSetting:
    """Turn on or off handing a lane's new tasks to its least loaded member; audited."""
    if not actor.has_role("admin"):
        raise Forbidden("Hanya Admin yang dapat mengubah cara pembagian tugas.")
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
    members = members_of(task.role)
    if not members:
        return None
    load = open_load([m.id for m in members])
    chosen = min(members, key=lambda m: (load.get(m.id, 0), m.username))
    task.assignee_id = chosen.id
    audit.record("task.auto_assign", None, instance_id=task.instance.id, task_id=task.id, step=task.bpmn_id,
                 name=task.name, assignee=chosen.username, open_tasks=load.get(chosen.id, 0))
    return chosen
