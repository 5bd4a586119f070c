"""Figures of the service standard for supervision and for the monthly report.

Pure queries over the read models (``instance``, ``human_task``, ``publication``, ``dataset``,
``opd``, ``complaint``); no workflow is ever loaded. ``now`` is always passed in.

Two processes run side by side: the figures of the service standard (:func:`figures`,
:func:`overdue_cases`, :func:`publications_in`), their steps and the publications they count
take only runs of ``penyebarluasan_data`` (corrections of publications included: they are
runs of it) and its latest model; complaints, runs of
``penanganan_pengaduan``, have their own figures (:func:`complaint_figures`,
:func:`complaints_in`; see the definitions there).

Definitions (a *period* is a calendar month in WIB; ``as_of`` is the earlier of ``now`` and the
period's end, so a past month is seen as it stood when it ended and the current one as it stands):

* an event falls *in the period* when its moment is in ``[start, end)`` and not after ``now``;
* a task or instance is *open at* ``as_of`` when it was created at or before ``as_of`` and not
  completed by then (``completed_at`` empty or later); cancelled instances are left out;
* *running*: instances open at ``as_of``; *overdue*: open at ``as_of`` with ``due_at < as_of``
  (instances and tasks counted apart);
* *on time*: completed at or before ``due_at``. The on-time rate of a step is the share of its
  tasks completed in the period that were on time; the service's rate is the share of the
  instances completed in the period that finished by their ``due_at``;
* *duration* of a task: service hours (``deadlines.calendar().service_hours_between``) from the
  moment it became ready to its completion; its *standard*: ``hari_kerja`` × 6 hours of the
  step in the process model (the latest version holding the step);
* *revision rate*: the share of instances completed in the period with at least one completed
  decision that sent the work back (a step with a decision in the model, e.g. ``keputusan`` is
  ``"revisi"``);
* *waiting time* of a step: the mean service hours that its tasks open at ``as_of`` have waited.

Statistics: the median is the middle value of the sorted values, or the mean of the two
middle ones for an even count; the 90th percentile uses the nearest-rank method (see
:func:`percentile`). Both are computed exactly on the service hours of each task.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, or_, select

from app.catalog.models import Dataset
from app.complaints import operations as complaints
from app.complaints.models import Complaint
from app.core.models import Opd
from app.core.workcal import BULAN, HOURS_PER_WORKDAY, UTC, WIB
from app.engine import ProcessModel
from app.extensions import db
from app.publishing import publications
from app.publishing.models import Publication
from app.workflow import deadlines, processes
from app.workflow.models import HumanTask, Instance, ProcessVersion

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HISTORY_MONTHS = 12  # publications per month: this many months ending with the period
PUBLICATION_PROCESS = publications.PROCESS
COMPLAINT_PROCESS = complaints.PROCESS


# Periods --------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A calendar month in WIB."""

    year: int
    month: int

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=WIB).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.shift(1).start

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{BULAN[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        return f"{BULAN[self.month - 1][:3]} {self.year % 100:02d}"

    def shift(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)


def month_of(moment: datetime) -> Period:
    """The WIB month that holds a moment."""
    wib = moment.astimezone(WIB)
    return Period(wib.year, wib.month)


def parse_month(text: str | None) -> Period | None:
    """"2026-11" as a period; None when the text is not a month."""
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return Period(int(match[1]), int(match[2]))


# Statistics -----------------------------------------------------------------------------

def median(values: Sequence[float]) -> float | None:
    """The middle value, or the mean of the two middle values for an even count; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], p: int | Fraction) -> float | None:
    """Nearest-rank percentile: the smallest value such that at least p % of the values are
    less than or equal to it, that is ``sorted(values)[ceil(p / 100 × n) − 1]`` (the smallest
    value for p = 0). The rank is computed in exact arithmetic. None for no values."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(Fraction(p) * len(ordered) / 100))
    return ordered[rank - 1]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Figures --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepInfo:
    bpmn_id: str
    name: str
    lane: str
    standard_hours: float


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


def as_of(period: Period, now: datetime) -> datetime:
    return min(now, period.end)


def _in_period(column, period: Period, now: datetime):
    return (column >= period.start, column < period.end, column <= now)


def _open_at(model, moment: datetime):
    return (model.created_at <= moment, or_(model.completed_at.is_(None), model.completed_at > moment))


def _runs_of(process_id: str):
    """A clause on ``Instance``: runs of any version of the process."""
    return Instance.process_version_id.in_(select(ProcessVersion.id).where(ProcessVersion.process_id == process_id))


def _published_by_runs():
    """A clause on ``Publication``: published by a run of the publication process."""
    return Publication.instance_id.in_(select(Instance.id).where(_runs_of(PUBLICATION_PROCESS)))


def _models(version_ids: Iterable[int]) -> dict[int, ProcessModel]:
    ids = set(version_ids)
    if not ids:
        return {}
    return {v.id: v.model for v in ProcessVersion.with_models(select(ProcessVersion).where(ProcessVersion.id.in_(ids)))}


def latest_model(process_id: str) -> ProcessModel | None:
    """The model of the latest version of a process; None when it is not deployed."""
    return processes.latest_model(process_id)


def step_catalog(extra_version_ids: Iterable[int] = (), process_id: str = PUBLICATION_PROCESS) -> dict[str, StepInfo]:
    """Every user task of the process's latest model in their order, then steps that only
    older versions (of the given ids, which must be versions of that process) have; each with
    its standard in service hours."""
    steps: dict[str, StepInfo] = {}
    latest = latest_model(process_id)
    sources = ([latest] if latest else []) + [m for _, m in sorted(_models(extra_version_ids).items(), reverse=True)]
    for model in sources:
        for spec in model.user_tasks.values():
            if spec.bpmn_id not in steps:
                steps[spec.bpmn_id] = StepInfo(spec.bpmn_id, spec.name, spec.lane,
                                               spec.hari_kerja * HOURS_PER_WORKDAY)
    return steps


def _task_rows(*where):
    return db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.created_at, HumanTask.due_at, HumanTask.completed_at,
               Instance.process_version_id)
        .join(Instance, Instance.id == HumanTask.instance_id)
        .where(Instance.state != "cancelled", _runs_of(PUBLICATION_PROCESS), *where)
    ).all()


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def figures(now: datetime, period: Period | None = None) -> Figures:
    """Every figure of the publication service for a month (the month of ``now`` in WIB by
    default): runs of ``penyebarluasan_data`` only."""
    period = period or month_of(now)
    moment = as_of(period, now)
    cal = deadlines.calendar()
    runs = _runs_of(PUBLICATION_PROCESS)

    started = _count(select(Instance.id).where(Instance.state != "cancelled", runs,
                                               *_in_period(Instance.created_at, period, now)))
    completed_rows = db.session.execute(
        select(Instance.id, Instance.due_at, Instance.completed_at)
        .where(Instance.state == "completed", runs, *_in_period(Instance.completed_at, period, now))
    ).all()
    completed_ids = [row.id for row in completed_rows]
    on_time = sum(1 for row in completed_rows if row.completed_at <= row.due_at)
    running = db.session.execute(
        select(Instance.due_at).where(Instance.state != "cancelled", runs, *_open_at(Instance, moment))
    ).scalars().all()
    published = _count(select(Publication.id).where(_published_by_runs(),
                                                    *_in_period(Publication.published_at, period, now)))

    revised = len(revised_instances(completed_ids))

    done = _task_rows(*_in_period(HumanTask.completed_at, period, now))
    waiting = _task_rows(*_open_at(HumanTask, moment))
    catalog = step_catalog({r.process_version_id for r in done} | {r.process_version_id for r in waiting})

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

    model = latest_model(PUBLICATION_PROCESS)
    return Figures(
        period=period, now=now, as_of=moment, started=started, completed=len(completed_rows),
        completed_on_time=on_time, published=published, running=len(running),
        overdue_instances=sum(1 for due_at in running if due_at < moment),
        overdue_tasks=sum(1 for row in waiting if row.due_at < moment),
        revised=revised, steps=steps, per_month=publications_per_month(period, now),
        per_opd=publications_per_opd(period, now),
        service_standard_hours=model.hari_kerja * HOURS_PER_WORKDAY if model else None,
    )


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
    decisions = {vid: model.decisions() for vid, model in _models({r.process_version_id for r in rows}).items()}
    found: dict[int, list[tuple[datetime, str]]] = {}
    for row in rows:
        decision = decisions.get(row.process_version_id, {}).get(row.bpmn_id)
        if decision is not None and decision.sends_back(row.data):
            found.setdefault(row.instance_id, []).append((row.completed_at, decision.notes(row.data) or ""))
    return found


def publications_per_month(period: Period, now: datetime, months: int = HISTORY_MONTHS) -> list[tuple[Period, int]]:
    """Publications in each of the ``months`` WIB months ending with ``period``, oldest first."""
    first = period.shift(-(months - 1))
    moments = db.session.scalars(select(Publication.published_at).where(
        _published_by_runs(), Publication.published_at >= first.start, Publication.published_at < period.end,
        Publication.published_at <= now)).all()
    counts = {first.shift(n): 0 for n in range(months)}
    for moment in moments:
        counts[month_of(moment)] += 1
    return list(counts.items())


def publications_per_opd(period: Period, now: datetime) -> list[tuple[str, str, int]]:
    """Publications in the period per OPD of their dataset: the most first, then by name."""
    count = func.count(Publication.id)
    rows = db.session.execute(
        select(Opd.code, Opd.name, count)
        .join(Dataset, Dataset.opd_code == Opd.code).join(Publication, Publication.dataset_id == Dataset.id)
        .where(_published_by_runs(), *_in_period(Publication.published_at, period, now))
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
        .where(_runs_of(PUBLICATION_PROCESS), *_in_period(Publication.published_at, period, now))
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
        .where(Instance.state != "cancelled", _runs_of(PUBLICATION_PROCESS), or_(
            Instance.id.in_(select(Instance.id).where(Instance.state == "completed",
                                                      *_in_period(Instance.completed_at, period, now))),
            Instance.id.in_(select(Instance.id).where(*_open_at(Instance, moment))),
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


# Complaints ------------------------------------------------------------------------------
#
# A complaint is a run of ``penanganan_pengaduan`` (cancelled runs are left out), received
# when its instance was created (the complaint's ``created_at``). In a period:
#
# * *received*: complaints received in the period;
# * *answered*: complaints whose first ``jawab`` task was completed in the period; *on time*
#   when that was at or before the instance's ``due_at`` (the process's standard, counted from
#   receipt);
# * *time to answer*: service hours from receipt to that completion; in hari kerja, / 6;
# * *corrected*: complaints whose ``koreksi`` task was completed in the period;
# * *closed*: complaint instances completed (``tutup`` done) in the period;
# * *open*: complaints open at ``as_of``; *overdue*: of those, past their ``due_at``.

ANSWER_STEP, CORRECTION_STEP, CLOSING_STEP = complaints.ANSWER_STEP, complaints.CORRECT, complaints.CLOSE
RECEIVED = "diterima"
STATUS_STEPS = complaints.STAGES  # (step, status once it is done), in order
STATUS_LABELS = complaints.STATUS_LABELS


@dataclass(frozen=True)
class ComplaintRow:
    instance_id: int
    ticket: str | None  # None for a run started without the complaint form
    subject: str
    received_at: datetime
    due_at: datetime
    # Each as it stood at as_of: None when it had not happened by then.
    corrected_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    answer_hours: float | None  # service hours from receipt to the answer
    status: str  # diterima, diverifikasi, dikoreksi, dijawab or selesai, at as_of

    @property
    def answer_days(self) -> float | None:
        return None if self.answer_hours is None else self.answer_hours / HOURS_PER_WORKDAY

    @property
    def on_time(self) -> bool | None:
        """Answered by the due time of the complaint; None while not answered."""
        return None if self.answered_at is None else self.answered_at <= self.due_at

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class ComplaintFigures:
    period: Period
    now: datetime
    as_of: datetime
    received: int
    answered: int
    answered_on_time: int
    corrected: int
    closed: int
    open: int  # at as_of
    overdue_open: int  # open at as_of past the complaint's due time
    median_hours: float | None  # time to answer of the complaints answered in the period
    p90_hours: float | None
    per_month: list[tuple[Period, int]]  # complaints received per month
    standard_hours: float | None  # the complaint process's standard (latest model)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.answered_on_time, self.answered)

    @property
    def median_days(self) -> float | None:
        return None if self.median_hours is None else self.median_hours / HOURS_PER_WORKDAY

    @property
    def p90_days(self) -> float | None:
        return None if self.p90_hours is None else self.p90_hours / HOURS_PER_WORKDAY

    @property
    def standard_days(self) -> float | None:
        return None if self.standard_hours is None else self.standard_hours / HOURS_PER_WORKDAY


def _within(moment: datetime | None, period: Period, now: datetime) -> bool:
    return moment is not None and period.start <= moment < period.end and moment <= now


def complaints_in(period: Period, now: datetime) -> list[ComplaintRow]:
    """The complaints of the period: received in it or open at some moment of it (so also
    every one answered, corrected or closed in it), in the order they were received; each as
    it stood at ``as_of``."""
    moment = as_of(period, now)
    cal = deadlines.calendar()
    instances = db.session.execute(
        select(Instance.id, Instance.title, Instance.data, Instance.created_at, Instance.due_at,
               Instance.completed_at, Complaint.ticket)
        .outerjoin(Complaint, Complaint.instance_id == Instance.id)
        .where(Instance.state != "cancelled", _runs_of(COMPLAINT_PROCESS), Instance.created_at < period.end,
               Instance.created_at <= now,
               or_(Instance.completed_at.is_(None), Instance.completed_at >= period.start))
        .order_by(Instance.created_at, Instance.id)
    ).all()
    if not instances:
        return []
    done: dict[int, dict[str, datetime]] = {}  # the first completion of each step, by instance
    for row in db.session.execute(
        select(HumanTask.instance_id, HumanTask.bpmn_id, HumanTask.completed_at)
        .where(HumanTask.instance_id.in_([row.id for row in instances]),
               HumanTask.completed_at.is_not(None), HumanTask.completed_at <= moment)
        .order_by(HumanTask.completed_at, HumanTask.id)
    ).all():
        done.setdefault(row.instance_id, {}).setdefault(row.bpmn_id, row.completed_at)

    rows = []
    for row in instances:
        steps = done.get(row.id, {})
        answered = steps.get(ANSWER_STEP)
        closed = row.completed_at if row.completed_at is not None and row.completed_at <= moment else None
        status = RECEIVED
        for step, reached in STATUS_STEPS:
            if step in steps:
                status = reached
        if closed is not None:
            status = STATUS_STEPS[-1][1]
        rows.append(ComplaintRow(
            instance_id=row.id, ticket=row.ticket, subject=str((row.data or {}).get("subjek") or row.title),
            received_at=row.created_at, due_at=row.due_at, corrected_at=steps.get(CORRECTION_STEP),
            answered_at=answered, closed_at=closed, status=status,
            answer_hours=cal.service_hours_between(row.created_at, answered) if answered else None,
        ))
    return rows


def complaint_figures(now: datetime, period: Period | None = None,
                      rows: Sequence[ComplaintRow] | None = None) -> ComplaintFigures:
    """The figures of the complaints for a month (the month of ``now`` in WIB by default);
    ``rows``: :func:`complaints_in` of the same period, when already at hand."""
    period = period or month_of(now)
    moment = as_of(period, now)
    rows = complaints_in(period, now) if rows is None else rows
    answered = [r for r in rows if _within(r.answered_at, period, now)]
    hours = [r.answer_hours for r in answered]
    still_open = [r for r in rows if r.closed_at is None]
    model = latest_model(COMPLAINT_PROCESS)
    return ComplaintFigures(
        period=period, now=now, as_of=moment,
        received=sum(1 for r in rows if _within(r.received_at, period, now)),
        answered=len(answered), answered_on_time=sum(1 for r in answered if r.on_time),
        corrected=sum(1 for r in rows if _within(r.corrected_at, period, now)),
        closed=sum(1 for r in rows if _within(r.closed_at, period, now)),
        open=len(still_open), overdue_open=sum(1 for r in still_open if r.due_at < moment),
        median_hours=median(hours), p90_hours=percentile(hours, 90),
        per_month=complaints_per_month(period, now),
        standard_hours=model.hari_kerja * HOURS_PER_WORKDAY if model else None,
    )


def complaints_per_month(period: Period, now: datetime, months: int = HISTORY_MONTHS) -> list[tuple[Period, int]]:
    """Complaints received in each of the ``months`` WIB months ending with ``period``, oldest first."""
    first = period.shift(-(months - 1))
    moments = db.session.scalars(select(Instance.created_at).where(
        Instance.state != "cancelled", _runs_of(COMPLAINT_PROCESS), Instance.created_at >= first.start,
        Instance.created_at < period.end, Instance.created_at <= now)).all()
    counts = {first.shift(n): 0 for n in range(months)}
    for moment in moments:
        counts[month_of(moment)] += 1
    return list(counts.items())
