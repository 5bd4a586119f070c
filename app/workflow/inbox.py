"""The open tasks a person sees: their inbox (Tugas Saya), its count in the nav bar, the steps to
filter by."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from app import policy
from app.core.models import User, utcnow
from app.core.paging import page_of
from app.extensions import db

from . import processes
from .deadlines import timeliness_clause
from .models import HumanTask, Instance, ProcessVersion

SCOPES = ("mine", "lane", "all")


def task_query(user: User, scope: str, *, step: str | None = None, overdue_at: datetime | None = None,
               timeliness: str | None = None, now: datetime | None = None):
    """Open tasks a user sees: 'mine' (claimed by me or unclaimed in my lanes), 'lane' (all
    of my lanes), 'all' (every open task; for those who may see every task, else 'lane');
    optionally one step only, only those overdue at the given moment, or only those in one state
    of timeliness (on_time, near_due, overdue) at now."""
    query = select(HumanTask).where(HumanTask.completed_at.is_(None))
    if step:
        query = query.where(HumanTask.bpmn_id == step)
    if overdue_at is not None:
        query = query.where(HumanTask.due_at < overdue_at)
    if timeliness:
        query = query.where(timeliness_clause(HumanTask, timeliness, now or utcnow()))
    if scope == "all" and policy.may_see_every_task(user):
        return query
    query = query.where(HumanTask.role.in_(sorted(policy.roles_of(user))))
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


def _latest_versions():
    return select(ProcessVersion).where(ProcessVersion.id.in_(
        select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)))


def works_a_lane(user: User) -> bool:
    """Whether some lane of the deployed processes belongs to one of the user's roles."""
    return any(policy.works_lane_of(user, model) for model in processes.models_of(_latest_versions()))


def step_names() -> list[tuple[str, str]]:
    """The user-task steps of every deployed version, for filters: (bpmn_id, name), a step
    named as its newest version names it. Read from the cached models, not from the tasks, so
    it costs the same with a thousand instances or a million."""
    names: dict[str, str] = {}
    for model in processes.models_of(select(ProcessVersion).order_by(ProcessVersion.id)):
        for bpmn_id, spec in model.user_tasks.items():
            names[bpmn_id] = spec.name
    return sorted(names.items(), key=lambda r: r[1])
