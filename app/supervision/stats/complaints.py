"""The figures of the complaints from the public: runs of ``penanganan_pengaduan``
(cancelled runs are left out), each received when its instance was created (the complaint's
``created_at``). In a period:

* *received*: complaints received in the period;
* *answered*: complaints whose first ``jawab`` task was completed in the period; *on time*
  when that was at or before the instance's ``due_at`` (the process's standard, counted from
  receipt);
* *time to answer*: service hours from receipt to that completion; in hari kerja, / 6;
* *corrected*: complaints whose ``koreksi`` task was completed in the period;
* *closed*: complaint instances completed (``tutup`` done) in the period;
* *open*: complaints open at ``as_of``; *overdue*: of those, past their ``due_at``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.complaints import operations as complaints
from app.complaints.models import Complaint
from app.core.workcal import HOURS_PER_WORKDAY
from app.extensions import db
from app.workflow import deadlines
from app.workflow.models import HumanTask, Instance

from .common import (
    COMPLAINT_PROCESS,
    HISTORY_MONTHS,
    Period,
    as_of,
    median,
    month_of,
    per_month,
    percentile,
    rate,
    runs_of,
    standard_hours,
)

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
        .where(Instance.state != "cancelled", runs_of(COMPLAINT_PROCESS), Instance.created_at < period.end,
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
    return ComplaintFigures(
        period=period, now=now, as_of=moment,
        received=sum(1 for r in rows if _within(r.received_at, period, now)),
        answered=len(answered), answered_on_time=sum(1 for r in answered if r.on_time),
        corrected=sum(1 for r in rows if _within(r.corrected_at, period, now)),
        closed=sum(1 for r in rows if _within(r.closed_at, period, now)),
        open=len(still_open), overdue_open=sum(1 for r in still_open if r.due_at < moment),
        median_hours=median(hours), p90_hours=percentile(hours, 90),
        per_month=complaints_per_month(period, now),
        standard_hours=standard_hours(COMPLAINT_PROCESS),
    )


def complaints_per_month(period: Period, now: datetime, months: int = HISTORY_MONTHS) -> list[tuple[Period, int]]:
    """Complaints received in each of the ``months`` WIB months ending with ``period``, oldest first."""
    return per_month(Instance.created_at, Instance.state != "cancelled", runs_of(COMPLAINT_PROCESS),
                     period=period, now=now, months=months)
