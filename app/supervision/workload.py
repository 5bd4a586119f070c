"""Workload: open tasks per person and lane by state, and the tasks behind each figure."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from app import policy
from app.core import users
from app.core.models import User
from app.core.paging import page_of
from app.extensions import db
from app.workflow.assignment import lanes, settings
from app.workflow.models import HumanTask, Instance, ProcessVersion

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


def overview(viewer, now: datetime) -> list[Lane]:
    """Every lane with a row per member (idle ones too), per other holder of its open tasks,
    and one for its unclaimed tasks; open tasks counted by state at now."""
    policy.require(policy.may_read_workload(viewer), "Beban kerja hanya untuk Redaktur, Pengawas dan Admin.")
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
        people = {u.id: u for u in users.holding(role)}
        others = [uid for uid in found if uid is not None and uid not in people]
        people.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))})
        rows = [Row(user, dict(found.get(uid, dict.fromkeys(STATES, 0))))
                for uid, user in sorted(people.items(), key=lambda item: item[1].username)]
        rows.append(Row(None, dict(found.get(None, dict.fromkeys(STATES, 0)))))
        result.append(Lane(version.process_id, version.name, lane, role,
                           auto.get((version.process_id, lane), False), rows))
    return result


def task_page(viewer, now: datetime, page_no: int, per_page: int, *, process_id: str, lane: str,
              username: str | None, state: str | None) -> tuple[list[HumanTask], int]:
    """The open tasks behind one figure of the overview; username None: the unclaimed ones."""
    policy.require(policy.may_read_workload(viewer), "Beban kerja hanya untuk Redaktur, Pengawas dan Admin.")
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
