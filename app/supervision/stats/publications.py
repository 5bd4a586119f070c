"""The figures of the publication service (the SOP ``penyebarluasan_data``): the month's
counts, rates and each step's times (:func:`figures`), and the lists of the monthly report
(:func:`publications_in`, :func:`overdue_cases`). Only runs of the SOP count (corrections of
publications included: they are runs of it), with the steps of its latest model."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from app.catalog.models import Dataset
from app.core.models import Opd
from app.core.workcal import HOURS_PER_WORKDAY
from app.extensions import db
from app.publishing.models import Publication
from app.workflow import deadlines
from app.workflow.models import HumanTask, Instance

from .common import (
    HISTORY_MONTHS,
    PUBLICATION_PROCESS,
    Period,
    StepInfo,
    as_of,
    count_of,
    in_period,
    median,
    models_of,
    month_of,
    open_at,
    per_month,
    percentile,
    rate,
    runs_of,
    standard_hours,
    step_catalog,
)

# The month's figures ---------------------------------------------------------------------

@dataclass(frozen=True)
class StepFigures:
    bpmn_id: str
    name: str
    lane: str
    standard_hours: float
    completed: int  # tasks of this step completed in the period
    on_time: int
    median_hours: float | None
    p90_hours: float | None
    open: int  # tasks open at as_of
    overdue_open: int
    waiting_hours: float | None  # mean service hours the open tasks have waited

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.completed)


@dataclass(frozen=True)
class Figures:
    period: Period
    now: datetime
    as_of: datetime
    started: int
    completed: int
    completed_on_time: int
    published: int
    running: int
    overdue_instances: int
    overdue_tasks: int
    revised: int  # completed instances with at least one revision
    steps: list[StepFigures]
    per_month: list[tuple[Period, int]]
    per_opd: list[tuple[str, str, int]]  # (code, name, publications)
    service_standard_hours: float | None  # the whole service's standard (latest model)

    @property
    def service_on_time_rate(self) -> float | None:
        return rate(self.completed_on_time, self.completed)

    @property
    def revision_rate(self) -> float | None:
        return rate(self.revised, self.completed)


def _published_by_runs():
    """A clause on ``Publication``: published by a run of the publication process."""
    return Publication.instance_id.in_(select(Instance.id).where(runs_of(PUBLICATION_PROCESS)))


def _task_rows(*where):
    return db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.created_at, HumanTask.due_at, HumanTask.completed_at,
               Instance.process_version_id)
        .join(Instance, Instance.id == HumanTask.instance_id)
        .where(Instance.state != "cancelled", runs_of(PUBLICATION_PROCESS), *where)
    ).all()


def figures(now: datetime, period: Period | None = None) -> Figures:
    """Every figure of the publication service for a month (the month of ``now`` in WIB by
    default): runs of ``penyebarluasan_data`` only."""
    period = period or month_of(now)
    moment = as_of(period, now)
    runs = runs_of(PUBLICATION_PROCESS)

    started = count_of(select(Instance.id).where(Instance.state != "cancelled", runs,
                                                 *in_period(Instance.created_at, period, now)))
    completed_rows = db.session.execute(
        select(Instance.id, Instance.due_at, Instance.completed_at)
        .where(Instance.state == "completed", runs, *in_period(Instance.completed_at, period, now))
    ).all()
    completed_ids = [row.id for row in completed_rows]
    on_time = sum(1 for row in completed_rows if row.completed_at <= row.due_at)
    running = db.session.execute(
        select(Instance.due_at).where(Instance.state != "cancelled", runs, *open_at(Instance, moment))
    ).scalars().all()
    published = count_of(select(Publication.id).where(_published_by_runs(),
                                                      *in_period(Publication.published_at, period, now)))

    revised = len(revised_instances(completed_ids))

    done = _task_rows(*in_period(HumanTask.completed_at, period, now))
    waiting = _task_rows(*open_at(HumanTask, moment))
    catalog = step_catalog({r.process_version_id for r in done} | {r.process_version_id for r in waiting})
    return Figures(
        period=period, now=now, as_of=moment, started=started, completed=len(completed_rows),
        completed_on_time=on_time, published=published, running=len(running),
        overdue_instances=sum(1 for due_at in running if due_at < moment),
        overdue_tasks=sum(1 for row in waiting if row.due_at < moment),
        revised=revised, steps=_step_figures(catalog, done, waiting, moment),
        per_month=publications_per_month(period, now), per_opd=publications_per_opd(period, now),
        service_standard_hours=standard_hours(PUBLICATION_PROCESS),
    )


def _step_figures(catalog: dict[str, StepInfo], done: Sequence, waiting: Sequence,
                  moment: datetime) -> list[StepFigures]:
    """Each step's figures: of its tasks ``done`` in the period and those ``waiting`` at ``moment``."""
    cal = deadlines.calendar()
    durations: dict[str, list[float]] = {}
    punctual: dict[str, int] = {}
    for row in done:
        durations.setdefault(row.bpmn_id, []).append(cal.service_hours_between(row.created_at, row.completed_at))
        punctual[row.bpmn_id] = punctual.get(row.bpmn_id, 0) + (row.completed_at <= row.due_at)
    waited: dict[str, list[float]] = {}
    late_open: dict[str, int] = {}
    for row in waiting:
        waited.setdefault(row.bpmn_id, []).append(cal.service_hours_between(row.created_at, moment))
        late_open[row.bpmn_id] = late_open.get(row.bpmn_id, 0) + (row.due_at < moment)

    steps = []
    for bpmn_id, info in catalog.items():
        hours, open_hours = durations.get(bpmn_id, []), waited.get(bpmn_id, [])
        steps.append(StepFigures(
            bpmn_id=bpmn_id, name=info.name, lane=info.lane, standard_hours=info.standard_hours,
            completed=len(hours), on_time=punctual.get(bpmn_id, 0),
            median_hours=median(hours), p90_hours=percentile(hours, 90),
            open=len(open_hours), overdue_open=late_open.get(bpmn_id, 0),
            waiting_hours=sum(open_hours) / len(open_hours) if open_hours else None,
        ))
    return steps


def revised_instances(instance_ids: Sequence[int]) -> dict[int, list[tuple[datetime, str]]]:
    """Of the given instances, those with at least one completed decision that sent work back
    (the models' decisions), each with its notes (moment, notes) in order."""
    if not instance_ids:
        return {}
    rows = db.session.execute(
        select(HumanTask.instance_id, HumanTask.bpmn_id, HumanTask.completed_at, HumanTask.data,
               Instance.process_version_id)
        .join(Instance, HumanTask.instance_id == Instance.id)
        .where(HumanTask.instance_id.in_(list(instance_ids)), HumanTask.completed_at.is_not(None))
        .order_by(HumanTask.completed_at)
    ).all()
    decisions = {vid: model.decisions() for vid, model in models_of({r.process_version_id for r in rows}).items()}
    found: dict[int, list[tuple[datetime, str]]] = {}
    for row in rows:
        decision = decisions.get(row.process_version_id, {}).get(row.bpmn_id)
        if decision is not None and decision.sends_back(row.data):
            found.setdefault(row.instance_id, []).append((row.completed_at, decision.notes(row.data) or ""))
    return found


def publications_per_month(period: Period, now: datetime, months: int = HISTORY_MONTHS) -> list[tuple[Period, int]]:
    """Publications in each of the ``months`` WIB months ending with ``period``, oldest first."""
    return per_month(Publication.published_at, _published_by_runs(), period=period, now=now, months=months)


def publications_per_opd(period: Period, now: datetime) -> list[tuple[str, str, int]]:
    """Publications in the period per OPD of their dataset: the most first, then by name."""
    count = func.count(Publication.id)
    rows = db.session.execute(
        select(Opd.code, Opd.name, count)
        .join(Dataset, Dataset.opd_code == Opd.code).join(Publication, Publication.dataset_id == Dataset.id)
        .where(_published_by_runs(), *in_period(Publication.published_at, period, now))
        .group_by(Opd.code, Opd.name).order_by(count.desc(), Opd.name)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


# Lists for the report -------------------------------------------------------------------

@dataclass(frozen=True)
class PublicationRow:
    id: int
    title: str
    opd: str
    dataset: str
    started_at: datetime
    published_at: datetime
    service_hours: float
    channels: list[str]

    @property
    def working_days(self) -> float:
        return self.service_hours / HOURS_PER_WORKDAY


def publications_in(period: Period, now: datetime) -> list[PublicationRow]:
    """The publications of the period in the order they were published, with the service time
    from the start of their instance to publication."""
    cal = deadlines.calendar()
    rows = db.session.execute(
        select(Publication.id, Publication.title, Publication.published_at, Publication.channels,
               Instance.created_at, Dataset.title.label("dataset"), Opd.name.label("opd"))
        .join(Instance, Instance.id == Publication.instance_id)
        .join(Dataset, Dataset.id == Publication.dataset_id).join(Opd, Opd.code == Dataset.opd_code)
        .where(runs_of(PUBLICATION_PROCESS), *in_period(Publication.published_at, period, now))
        .order_by(Publication.published_at, Publication.id)
    ).all()
    return [PublicationRow(
        id=row.id, title=row.title, opd=row.opd, dataset=row.dataset, started_at=row.created_at,
        published_at=row.published_at, channels=list(row.channels or []),
        service_hours=cal.service_hours_between(row.created_at, row.published_at),
    ) for row in rows]


@dataclass(frozen=True)
class LateStep:
    bpmn_id: str
    name: str
    due_at: datetime
    completed_at: datetime | None  # None: still open at as_of
    late_hours: float


@dataclass(frozen=True)
class OverdueCase:
    instance_id: int
    title: str
    state: str  # "completed" or "running" (as of as_of)
    started_at: datetime
    due_at: datetime
    completed_at: datetime | None
    late_hours: float  # of the whole service; 0 when the service itself kept its standard
    late_steps: list[LateStep]
    revision_notes: list[tuple[datetime, str]]


def overdue_cases(period: Period, now: datetime) -> list[OverdueCase]:
    """Instances of the period (completed in it, or running at its as_of) that missed a
    standard: the service's 7 hari kerja, or that of a step (completed late, or open past its
    due time at as_of); each with its late steps, by how many service hours, and the revision
    notes. In the order they started."""
    moment = as_of(period, now)
    cal = deadlines.calendar()
    instances = db.session.execute(
        select(Instance.id, Instance.title, Instance.created_at, Instance.due_at, Instance.completed_at)
        .where(Instance.state != "cancelled", runs_of(PUBLICATION_PROCESS), or_(
            Instance.id.in_(select(Instance.id).where(Instance.state == "completed",
                                                      *in_period(Instance.completed_at, period, now))),
            Instance.id.in_(select(Instance.id).where(*open_at(Instance, moment))),
        ))
        .order_by(Instance.created_at, Instance.id)
    ).all()
    if not instances:
        return []
    ids = [row.id for row in instances]
    tasks: dict[int, list] = {}
    for row in db.session.execute(
        select(HumanTask.instance_id, HumanTask.bpmn_id, HumanTask.name, HumanTask.created_at,
               HumanTask.due_at, HumanTask.completed_at)
        .where(HumanTask.instance_id.in_(ids), HumanTask.created_at <= moment)
        .order_by(HumanTask.created_at, HumanTask.id)
    ).all():
        tasks.setdefault(row.instance_id, []).append(row)
    notes = revised_instances(ids)

    cases = []
    for row in instances:
        finished = row.completed_at if row.completed_at is not None and row.completed_at <= moment else None
        end = finished or moment
        late_hours = cal.service_hours_between(row.due_at, end) if end > row.due_at else 0.0
        late_steps = []
        for task in tasks.get(row.id, []):
            done = task.completed_at if task.completed_at is not None and task.completed_at <= moment else None
            reached = done or moment
            if reached > task.due_at:
                late_steps.append(LateStep(task.bpmn_id, task.name, task.due_at, done,
                                           cal.service_hours_between(task.due_at, reached)))
        if end > row.due_at or late_steps:
            cases.append(OverdueCase(
                instance_id=row.id, title=row.title, state="completed" if finished else "running",
                started_at=row.created_at, due_at=row.due_at, completed_at=finished,
                late_hours=late_hours, late_steps=late_steps,
                revision_notes=[n for n in notes.get(row.id, []) if n[0] <= moment],
            ))
    return cases
