"""What the figures of both processes stand on: periods (calendar months in WIB), the median and
the nearest-rank percentile, the catalog of a process's steps, and the clauses of the queries
(in a period, open at a moment, runs of a process)."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, or_, select

from app.complaints import operations as complaints
from app.core.workcal import BULAN, HOURS_PER_WORKDAY, UTC, WIB
from app.engine import ProcessModel
from app.extensions import db
from app.publishing import publications
from app.workflow import processes
from app.workflow.models import Instance, ProcessVersion

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


def as_of(period: Period, now: datetime) -> datetime:
    return min(now, period.end)


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


# Queries --------------------------------------------------------------------------------

def in_period(column, period: Period, now: datetime):
    """Clauses: the column's moment is in the period and not after ``now``."""
    return (column >= period.start, column < period.end, column <= now)


def open_at(model, moment: datetime):
    """Clauses on a task or instance model: created at or before the moment, not completed by then."""
    return (model.created_at <= moment, or_(model.completed_at.is_(None), model.completed_at > moment))


def runs_of(process_id: str):
    """A clause on ``Instance``: runs of any version of the process."""
    return Instance.process_version_id.in_(select(ProcessVersion.id).where(ProcessVersion.process_id == process_id))


def count_of(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def per_month(column, *where, period: Period, now: datetime, months: int = HISTORY_MONTHS) -> list[tuple[Period, int]]:
    """How many rows (of those ``where`` holds) have their ``column``'s moment in each of the
    ``months`` WIB months ending with ``period``, oldest first."""
    first = period.shift(-(months - 1))
    moments = db.session.scalars(select(column).where(
        *where, column >= first.start, column < period.end, column <= now)).all()
    counts = {first.shift(n): 0 for n in range(months)}
    for moment in moments:
        counts[month_of(moment)] += 1
    return list(counts.items())


# Steps ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepInfo:
    bpmn_id: str
    name: str
    lane: str
    standard_hours: float


def models_of(version_ids: Iterable[int]) -> dict[int, ProcessModel]:
    """The models of the given versions by version id."""
    ids = set(version_ids)
    if not ids:
        return {}
    return {v.id: v.model for v in ProcessVersion.with_models(select(ProcessVersion).where(ProcessVersion.id.in_(ids)))}


def latest_model(process_id: str) -> ProcessModel | None:
    """The model of the latest version of a process; None when it is not deployed."""
    return processes.latest_model(process_id)


def standard_hours(process_id: str) -> float | None:
    """The whole process's standard in service hours (its latest model); None when not deployed."""
    model = latest_model(process_id)
    return model.hari_kerja * HOURS_PER_WORKDAY if model else None


def step_catalog(extra_version_ids: Iterable[int] = (), process_id: str = PUBLICATION_PROCESS) -> dict[str, StepInfo]:
    """Every user task of the process's latest model in their order, then steps that only
    older versions (of the given ids, which must be versions of that process) have; each with
    its standard in service hours."""
    steps: dict[str, StepInfo] = {}
    latest = latest_model(process_id)
    sources = ([latest] if latest else []) + [m for _, m in sorted(models_of(extra_version_ids).items(), reverse=True)]
    for model in sources:
        for spec in model.user_tasks.values():
            if spec.bpmn_id not in steps:
                steps[spec.bpmn_id] = StepInfo(spec.bpmn_id, spec.name, spec.lane,
                                               spec.hari_kerja * HOURS_PER_WORKDAY)
    return steps
