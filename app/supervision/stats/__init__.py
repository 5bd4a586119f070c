"""Figures of the service standard for supervision and for the monthly report.

Pure queries over the read models (``instance``, ``human_task``, ``publication``, ``dataset``,
``opd``, ``complaint``); no workflow is ever loaded. ``now`` is always passed in.

Two processes run side by side: the figures of the service standard (:func:`figures`,
:func:`overdue_cases`, :func:`publications_in`, in :mod:`.publications`), their steps and the
publications they count take only runs of ``penyebarluasan_data`` (corrections of publications
included: they are runs of it) and its latest model; complaints, runs of
``penanganan_pengaduan``, have their own figures (:func:`complaint_figures`,
:func:`complaints_in`, in :mod:`.complaints`; see the definitions there). What both stand on,
periods, statistics and the queries' clauses, is in :mod:`.common`.

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
from .common import PUBLICATION_PROCESS, Period, median, month_of, parse_month, percentile
from .complaints import ComplaintFigures, ComplaintRow, complaint_figures, complaints_in
from .publications import (
    Figures,
    LateStep,
    OverdueCase,
    PublicationRow,
    figures,
    overdue_cases,
    publications_in,
)

__all__ = [
    "PUBLICATION_PROCESS", "ComplaintFigures", "ComplaintRow", "Figures", "LateStep", "OverdueCase", "Period",
    "PublicationRow", "complaint_figures", "complaints_in", "figures", "median", "month_of",
    "overdue_cases", "parse_month", "percentile", "publications_in",
]
