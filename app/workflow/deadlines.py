"""Due times: each standard counted in the office's service hours, and whether work is on time.

The calendar is the one the database holds now (app.core.calendar): weekly service windows,
national holidays and cuti bersama, and the admins' closed days and special periods. A change
of that calendar counts every open due time again (recompute).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.core import calendar as work_calendar
from app.core.errors import BadRequest
from app.core.workcal import HOURS_PER_WORKDAY, WorkCalendar
from app.extensions import db

from . import processes
from .models import HumanTask, Instance

NEAR_DUE_HOURS = 2  # less service time than this left: "near due"
TIMELINESS_STATES = ("on_time", "near_due", "overdue")


def calendar() -> WorkCalendar:
    """The service calendar as the database holds it now (admin closed days, special hours)."""
    return work_calendar.current()


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


@dataclass(frozen=True)
class Recomputed:
    """How many due moments were computed again, and how many of them moved."""

    tasks: int
    instances: int
    changed: int

    def counts(self) -> dict[str, int]:
        """As the audit event of a calendar change records them."""
        return {"recomputed_tasks": self.tasks, "recomputed_instances": self.instances,
                "recomputed_changed": self.changed}


def recompute() -> Recomputed:
    """Count the due and near-due moments of every open human task and every running instance
    again from the moment each became ready, on the calendar as it is now in this transaction.

    The running instances are locked first (in id order, as a task's completion locks its
    instance), so that a step completed at the same moment either finishes before and is
    recomputed here, or waits and then reads the new calendar."""
    cal = calendar()
    instances = db.session.scalars(
        select(Instance).where(Instance.state == "running").order_by(Instance.id)
        .with_for_update(of=Instance).execution_options(populate_existing=True)
    ).all()
    tasks = db.session.scalars(
        select(HumanTask).where(HumanTask.completed_at.is_(None)).order_by(HumanTask.created_at, HumanTask.id)
        .options(joinedload(HumanTask.instance))
    ).all()
    changed = 0
    counted_tasks = 0
    for task in tasks:
        step = processes.model_of(task.instance.process_version).user_tasks.get(task.bpmn_id)
        if step is None:
            continue
        counted_tasks += 1
        due_at, near_due_at = deadlines(task.created_at, step.hari_kerja, cal)
        if (task.due_at, task.near_due_at) != (due_at, near_due_at):
            task.due_at, task.near_due_at = due_at, near_due_at
            changed += 1
    for instance in instances:
        model = processes.model_of(instance.process_version)
        due_at, near_due_at = deadlines(instance.created_at, model.hari_kerja, cal)
        if (instance.due_at, instance.near_due_at) != (due_at, near_due_at):
            instance.due_at, instance.near_due_at = due_at, near_due_at
            changed += 1
    db.session.flush()
    return Recomputed(tasks=counted_tasks, instances=len(instances), changed=changed)
