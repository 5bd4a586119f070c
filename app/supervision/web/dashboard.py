"""Dasbor Pengawasan: the service standard watched, for Pengawas and Admin; the complaints from
the public; the monthly report.

The charts are drawn here from the numbers, as SVG geometry that the templates render; each
chart is followed by a table of the same numbers. The diagram's heatmap is coloured in the
browser (static/js/heatmap.js) from the waiting times given in a data attribute.
"""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core.errors import Forbidden, NotFound
from app.core.models import utcnow
from app.core.workcal import HOURS_PER_WORKDAY
from app.supervision import reports, stats
from app.workflow import processes

bp = Blueprint("dashboard", __name__, template_folder="../templates")
PROCESS = stats.PUBLICATION_PROCESS
COMPLAINTS_LIST = "complaints.index"  # the staff's list of complaints
COMPLAINTS_LIST_PATH = "/pengaduan/daftar"
MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _require() -> None:
    if not policy.may_read_reports(current_user):
        raise Forbidden("Dasbor pengawasan hanya untuk Pengawas dan Admin.")


# Chart geometry ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    text: str  # the value as shown
    label: str  # what the bar stands for
    css: str = "bar"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = ""
    full: str = ""  # the untruncated text, as a tooltip


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str
    label: str = ""


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def nice_scale(maximum: float, *, integer: bool = False, steps: int = 5) -> tuple[float, float]:
    """(top, step) of an axis from 0 that holds ``maximum`` in at most ``steps`` round steps."""
    if maximum <= 0:
        return (1.0, 1.0) if integer else (1.0, 0.25)
    raw = maximum / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    return math.ceil(maximum / step - 1e-9) * step, step


def _fmt(value: float, digits: int = 1) -> str:
    return reports.number(value, digits)


def _truncate(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


LABEL_W, PLOT_W, WIDTH = 230, 262, 560
TOP, AXIS_H = 6, 22


def hbar_chart(rows: list[tuple[str, list[tuple[float, str, str]]]], top: float, step: float, *,
               unit: str = "", marks: dict[int, tuple[float, str]] | None = None) -> Chart:
    """Horizontal bars: rows of (label, [(value, shown text, css class), ...]); an axis from 0
    to ``top``; ``marks`` puts a vertical line (such as a standard) across a row's group."""
    series = max((len(values) for _, values in rows), default=1)
    bar_h, gap = 14, 3
    group_h = series * bar_h + (series - 1) * gap + 12
    height = TOP + len(rows) * group_h + AXIS_H
    chart = Chart(WIDTH, height)
    scale = PLOT_W / top
    axis_y = TOP + len(rows) * group_h
    tick = 0.0
    while tick <= top + 1e-9:
        x = LABEL_W + tick * scale
        chart.lines.append(Line(x, TOP, x, axis_y, "grid"))
        chart.texts.append(Text(x, axis_y + 15, _fmt(tick) + unit, "middle", "tick"))
        tick += step
    for index, (label, values) in enumerate(rows):
        group_y = TOP + index * group_h + 6
        chart.texts.append(Text(LABEL_W - 8, group_y + (group_h - 12) / 2 + 4, _truncate(label), "end", "label", label))
        for n, (value, shown, css) in enumerate(values):
            y = group_y + n * (bar_h + gap)
            width = max(value, 0) * scale
            chart.bars.append(Bar(LABEL_W, y, width, bar_h, value, shown, label, css))
            chart.texts.append(Text(LABEL_W + width + 4, y + bar_h - 3, shown, "start", "value"))
        if marks and index in marks:
            value, mark_label = marks[index]
            x = LABEL_W + value * scale
            chart.lines.append(Line(x, group_y - 3, x, group_y + group_h - 9, "standard", mark_label))
    return chart


def vbar_chart(items: list[tuple[str, float, str, str]], top: float, step: float) -> Chart:
    """Vertical bars: items of (label under the bar, value, full label, css class)."""
    left, plot_h, top_pad, bottom = 34, 170, 16, 26
    slot = (WIDTH - left - 6) / max(len(items), 1)
    chart = Chart(WIDTH, top_pad + plot_h + bottom)
    scale = plot_h / top
    base = top_pad + plot_h
    tick = 0.0
    while tick <= top + 1e-9:
        y = base - tick * scale
        chart.lines.append(Line(left, y, WIDTH - 6, y, "grid"))
        chart.texts.append(Text(left - 6, y + 4, _fmt(tick), "end", "tick"))
        tick += step
    for index, (label, value, full, css) in enumerate(items):
        width = slot * 0.6
        x = left + index * slot + (slot - width) / 2
        height = max(value, 0) * scale
        chart.bars.append(Bar(x, base - height, width, height, value, _fmt(value), full, css))
        chart.texts.append(Text(x + width / 2, base - height - 4, _fmt(value), "middle", "value"))
        chart.texts.append(Text(x + width / 2, base + 16, label, "middle", "tick"))
    return chart


def on_time_chart(figures: stats.Figures) -> Chart:
    rows = []
    if figures.completed:
        rows.append((_("Seluruh layanan"), [(figures.service_on_time_rate * 100,
                                          reports.percent(figures.service_on_time_rate), "bar bar-service")]))
    rows += [(s.name, [(s.on_time_rate * 100, reports.percent(s.on_time_rate), "bar")])
             for s in figures.steps if s.completed]
    return hbar_chart(rows, 100, 25, unit="%")


def duration_chart(figures: stats.Figures) -> Chart:
    measured = [s for s in figures.steps if s.completed]
    top = max([s.p90_hours for s in measured] + [s.standard_hours for s in measured] + [0])
    top, step = nice_scale(top)
    rows = [(s.name, [(s.median_hours, _("%(n)s jam", n=_fmt(s.median_hours, 2)), "bar bar-median"),
                      (s.p90_hours, _("%(n)s jam", n=_fmt(s.p90_hours, 2)), "bar bar-p90")]) for s in measured]
    marks = {n: (s.standard_hours, _("standar %(n)s jam", n=_fmt(s.standard_hours)))
             for n, s in enumerate(measured)}
    return hbar_chart(rows, top, step, marks=marks)


def month_chart(figures: stats.Figures) -> Chart:
    top, step = nice_scale(max([count for _, count in figures.per_month] + [0]), integer=True)
    return vbar_chart([(p.short_label, count, p.label, "bar bar-month") for p, count in figures.per_month], top, step)


def complaint_month_chart(complaints: stats.ComplaintFigures) -> Chart:
    top, step = nice_scale(max([count for _, count in complaints.per_month] + [0]), integer=True)
    return vbar_chart([(p.short_label, count, p.label, "bar bar-month")
                       for p, count in complaints.per_month], top, step)


def complaints_list_url() -> str:
    """The list of complaints, where the application has it."""
    if COMPLAINTS_LIST in current_app.view_functions:
        return url_for(COMPLAINTS_LIST)
    return COMPLAINTS_LIST_PATH


def opd_chart(figures: stats.Figures) -> Chart:
    top, step = nice_scale(max([count for *_, count in figures.per_opd] + [0]), integer=True)
    return hbar_chart([(name, [(count, str(count), "bar bar-opd")]) for _, name, count in figures.per_opd], top, step)


def heat(figures: stats.Figures) -> dict[str, dict[str, float]]:
    """For the heatmap: each step with open work, its mean waiting time and its standard."""
    return {s.bpmn_id: {"hours": round(s.waiting_hours, 2), "standard": s.standard_hours, "open": s.open}
            for s in figures.steps if s.open}


# Screens --------------------------------------------------------------------------------

def _period(text: str | None, now) -> stats.Period:
    current = stats.month_of(now)
    chosen = stats.parse_month(text)
    return chosen if chosen is not None and chosen <= current else current


@bp.get("/dasbor")
@login_required
def index():
    _require()
    now = utcnow()
    current = stats.month_of(now)
    period = _period(request.args.get("period"), now)
    figures = stats.figures(now, period)
    complaints = stats.complaint_figures(now, period)
    return render_template(
        "dashboard/index.html", figures=figures, complaints=complaints, period=period, current=current, now=now,
        previous=period.shift(-1), following=period.shift(1) if period < current else None,
        charts={"on_time": on_time_chart(figures), "duration": duration_chart(figures),
                "months": month_chart(figures), "opd": opd_chart(figures),
                "complaints": complaint_month_chart(complaints)},
        complaints_url=complaints_list_url(),
        heat=json.dumps(heat(figures)), hours_per_day=HOURS_PER_WORKDAY,
        percent=reports.percent, number=reports.number,
    )


@bp.get("/dasbor/diagram.bpmn")
@login_required
def diagram():
    """The latest version's BPMN, for the heatmap."""
    _require()
    version = processes.latest(PROCESS)
    if version is None:
        raise NotFound("Proses belum dipasang.")
    return Response(version.bpmn_xml, mimetype="application/xml")


@bp.get("/dasbor/laporan/<period>.<kind>")
@login_required
def report(period: str, kind: str):
    """The monthly report of a month that has begun, as PDF or XLSX."""
    _require()
    now = utcnow()
    month = stats.parse_month(period)
    if kind not in MIMETYPES or month is None or month > stats.month_of(now):
        raise NotFound("Laporan untuk bulan itu tidak tersedia.")
    content = reports.monthly(month, now)
    build = reports.pdf if kind == "pdf" else reports.xlsx
    return send_file(io.BytesIO(build(content, generated_at=now)), mimetype=MIMETYPES[kind], as_attachment=True,
                     download_name=reports.filename(month, kind), max_age=0)
