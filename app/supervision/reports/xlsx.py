"""The monthly report as an XLSX workbook with a sheet per section; moments as WIB wall times."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.core.workcal import WIB

from .content import (
    AGENCY,
    DAYS,
    RATES,
    TITLE,
    Report,
    complaint_summary_rows,
    late_step_text,
    on_time_text,
    summary_rows,
)

SHEETS = ("Ringkasan", "Ketepatan Waktu", "Publikasi", "Terlambat", "Pengaduan")
DATE_FORMAT = "dd/mm/yyyy hh:mm"


def _wall(moment: datetime | None):
    """A naive WIB wall time for a spreadsheet cell."""
    return moment.astimezone(WIB).replace(tzinfo=None) if moment is not None else None


def xlsx(report: Report, *, generated_at: datetime) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _summary_sheet(book, report, generated_at)
    _timeliness_sheet(book, report)
    _publications_sheet(book, report)
    _overdue_sheet(book, report)
    if report.complaints is not None:
        _complaints_sheet(book, report)
    book.properties.title = f"{TITLE} {report.period.label}"
    book.properties.creator = AGENCY
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, name: str, headers: list[str], rows: list[list], widths: list[int], *,
           percent_cols=(), date_cols=(), decimal_cols=()) -> Worksheet:
    """A sheet with a bold heading row kept in view, the rows, the columns' widths and the
    number formats of the columns (counted from 1) that hold rates, moments and decimals."""
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E2E8F0")
    ws = book.create_sheet(name)
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            column = cell.column
            if column in percent_cols:
                cell.number_format = "0.0%"
            elif column in date_cols:
                cell.number_format = DATE_FORMAT
            elif column in decimal_cols:
                cell.number_format = "0.00"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, value in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = value
    ws.freeze_panes = "A2"
    return ws


def _summary_sheet(book: Workbook, report: Report, generated_at: datetime) -> None:
    f = report.figures
    summary = [["Bulan", report.period.label], ["Keadaan per (WIB)", _wall(f.as_of)],
               ["Disusun (WIB)", _wall(generated_at)]]
    summary += [[label, value] for label, value in summary_rows(report)]
    if report.complaints is not None:
        summary += [[label, value] for label, value in complaint_summary_rows(report.complaints)]
    ws = _sheet(book, "Ringkasan", ["Uraian", "Nilai"], summary, [44, 22])
    for row in ws.iter_rows(min_row=2):
        if row[0].value in RATES:
            row[1].number_format = "0.0%"
        elif row[0].value in DAYS:
            row[1].number_format = "0.00"
        elif isinstance(row[1].value, datetime):
            row[1].number_format = DATE_FORMAT


def _timeliness_sheet(book: Workbook, report: Report) -> None:
    f = report.figures
    steps = [[s.name, s.bpmn_id, s.lane, s.standard_hours, s.completed, s.on_time, s.on_time_rate,
              s.median_hours, s.p90_hours] for s in f.steps]
    steps.append(["Seluruh layanan", "", "", f.service_standard_hours, f.completed, f.completed_on_time,
                  f.service_on_time_rate, None, None])
    _sheet(book, "Ketepatan Waktu", ["Langkah", "Kode langkah", "Lajur", "Standar (jam layanan)", "Selesai",
                                     "Tepat waktu", "Ketepatan waktu", "Median (jam layanan)", "P90 (jam layanan)"],
           steps, [46, 16, 14, 12, 10, 12, 12, 12, 12], percent_cols={7}, decimal_cols={8, 9})


def _publications_sheet(book: Workbook, report: Report) -> None:
    _sheet(book, "Publikasi", ["No", "Judul", "OPD", "Data", "Mulai (WIB)", "Terbit (WIB)", "Durasi (jam layanan)",
                               "Durasi (hari kerja)", "Kanal"],
           [[n, p.title, p.opd, p.dataset, _wall(p.started_at), _wall(p.published_at), p.service_hours,
             p.working_days, ", ".join(p.channels)] for n, p in enumerate(report.publications, 1)],
           [5, 40, 34, 34, 17, 17, 12, 12, 20], date_cols={5, 6}, decimal_cols={7, 8})


def _overdue_sheet(book: Workbook, report: Report) -> None:
    _sheet(book, "Terlambat", ["No", "Judul", "Status", "Mulai (WIB)", "Tenggat layanan (WIB)", "Selesai (WIB)",
                               "Terlambat layanan (jam layanan)", "Langkah terlambat", "Catatan revisi"],
           [[n, c.title, "selesai" if c.state == "completed" else "berjalan", _wall(c.started_at), _wall(c.due_at),
             _wall(c.completed_at), c.late_hours, "\n".join(late_step_text(s) for s in c.late_steps),
             "\n".join(note for _, note in c.revision_notes)] for n, c in enumerate(report.overdue, 1)],
           [5, 36, 10, 17, 17, 17, 12, 60, 40], date_cols={4, 5, 6}, decimal_cols={7})


def _complaints_sheet(book: Workbook, report: Report) -> None:
    _sheet(book, "Pengaduan", ["No", "Tiket", "Subjek", "Diterima (WIB)", "Tenggat (WIB)", "Dikoreksi (WIB)",
                               "Dijawab (WIB)", "Waktu menjawab (jam layanan)", "Waktu menjawab (hari kerja)",
                               "Tepat waktu", "Ditutup (WIB)", "Status"],
           [[n, r.ticket, r.subject, _wall(r.received_at), _wall(r.due_at), _wall(r.corrected_at),
             _wall(r.answered_at), r.answer_hours, r.answer_days, None if r.on_time is None else on_time_text(r),
             _wall(r.closed_at), r.status_label] for n, r in enumerate(report.complaint_rows, 1)],
           [5, 16, 40, 17, 17, 17, 17, 12, 12, 10, 17, 14], date_cols={4, 5, 6, 7, 11}, decimal_cols={8, 9})
