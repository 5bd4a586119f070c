"""The monthly "Laporan Penyebarluasan Data": the figures of the service standard for a month,
its publications, its overdue cases and the complaints from the public; as a PDF to print and
sign for the manual archive, and as an XLSX workbook with a sheet per section.

The figures come from :mod:`app.services.stats`; ``now`` is passed in. The PDF is A4 and uses
DejaVu Sans (Debian's fonts-dejavu-core) when it is installed, so that every Indonesian text
prints as typed; without it, the core Helvetica with Latin-1 text (other characters replaced).
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.core.pdf import Printout
from app.core.workcal import BULAN, HOURS_PER_WORKDAY, WIB, format_wib

from . import stats
from .stats import Period

AGENCY = "Dinas Komunikasi dan Informatika Kabupaten Magetan"
GOVERNMENT = "Pemerintah Kabupaten Magetan"
TITLE = "Laporan Penyebarluasan Data"
HEAD_OF_AGENCY = "Kepala Dinas Komunikasi dan Informatika"
# (regular, bold) TrueType fonts tried in order; the first pair that exists is embedded.
DASH = "—"


@dataclass(frozen=True)
class Report:
    figures: stats.Figures
    publications: list[stats.PublicationRow]
    overdue: list[stats.OverdueCase]
    complaints: stats.ComplaintFigures | None = None  # None: the section is left out
    complaint_rows: list[stats.ComplaintRow] = field(default_factory=list)

    @property
    def period(self) -> Period:
        return self.figures.period


def monthly(period: Period, now: datetime) -> Report:
    complaint_rows = stats.complaints_in(period, now)
    return Report(stats.figures(now, period), stats.publications_in(period, now), stats.overdue_cases(period, now),
                  stats.complaint_figures(now, period, complaint_rows), complaint_rows)


def filename(period: Period, extension: str) -> str:
    return f"laporan-penyebarluasan-{period.key}.{extension}"


# Numbers in Indonesian -----------------------------------------------------------------

def number(value: float | None, digits: int = 1) -> str:
    """1234.5 -> "1.234,5"; whole numbers without decimals; None -> "—"."""
    if value is None:
        return DASH
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float | None) -> str:
    return DASH if value is None else number(value * 100) + "%"


def share(part: int, whole: int, value: float | None) -> str:
    return DASH if value is None else f"{percent(value)} ({part} dari {whole})"


def date_id(moment: datetime) -> str:
    wib = moment.astimezone(WIB)
    return f"{wib.day} {BULAN[wib.month - 1]} {wib.year}"


def short_wib(moment: datetime | None) -> str:
    if moment is None:
        return DASH
    wib = moment.astimezone(WIB)
    return f"{wib.day:02d}/{wib.month:02d}/{wib.year} {wib.hour:02d}.{wib.minute:02d}"


def summary_rows(report: Report) -> list[tuple[str, int | float | str | None]]:
    """The counts and rates of the summary, as (label, value) with rates as fractions."""
    f = report.figures
    return [
        ("Publikasi dimulai", f.started),
        ("Publikasi selesai", f.completed),
        ("Publikasi terbit", f.published),
        ("Masih berjalan", f.running),
        ("Berjalan melewati standar layanan", f.overdue_instances),
        ("Tugas terbuka melewati standar langkah", f.overdue_tasks),
        ("Selesai tepat waktu", f.completed_on_time),
        ("Ketepatan waktu layanan", f.service_on_time_rate),
        ("Selesai dengan revisi", f.revised),
        ("Tingkat revisi", f.revision_rate),
    ]


def complaint_summary_rows(figures: stats.ComplaintFigures) -> list[tuple[str, int | float | None]]:
    """The complaint figures, as (label, value) with the rate as a fraction and times in hari kerja."""
    return [
        ("Pengaduan diterima", figures.received),
        ("Pengaduan dijawab", figures.answered),
        ("Pengaduan dijawab tepat waktu", figures.answered_on_time),
        ("Ketepatan waktu menjawab pengaduan", figures.on_time_rate),
        ("Pengaduan dikoreksi", figures.corrected),
        ("Pengaduan ditutup", figures.closed),
        ("Pengaduan masih terbuka", figures.open),
        ("Pengaduan terbuka melewati standar", figures.overdue_open),
        ("Median waktu menjawab (hari kerja)", figures.median_days),
        ("Persentil ke-90 waktu menjawab (hari kerja)", figures.p90_days),
    ]


RATES = {"Ketepatan waktu layanan", "Tingkat revisi", "Ketepatan waktu menjawab pengaduan"}
DAYS = {"Median waktu menjawab (hari kerja)", "Persentil ke-90 waktu menjawab (hari kerja)"}


def on_time_text(row: stats.ComplaintRow) -> str:
    return DASH if row.on_time is None else ("ya" if row.on_time else "tidak")


def late_step_text(step: stats.LateStep) -> str:
    finished = f"selesai {short_wib(step.completed_at)}" if step.completed_at else "belum selesai"
    return (f"{step.name}: tenggat {short_wib(step.due_at)}, {finished}, "
            f"terlambat {number(step.late_hours)} jam layanan")


# PDF -----------------------------------------------------------------------------------

def pdf(report: Report, *, generated_at: datetime) -> bytes:
    from fpdf.fonts import FontFace

    doc = Printout(orientation="P", footer=(8, 12, 5),
                   footer_text=lambda page: f"{TITLE} {report.period.label} {DASH} halaman {page} dari {{nb}}")
    family, text = doc.family, doc.text
    doc.set_title(text(f"{TITLE} {report.period.label}"))
    doc.set_author(text(AGENCY))
    doc.set_creation_date(generated_at)
    doc.set_margins(18, 15, 18)
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    width = doc.epw
    heading = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))

    def line(value: str, size: float = 10, style: str = "", align: str = "L", height: float = 5.5,
             indent: float = 0) -> None:
        doc.set_font(family, style, size)
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(width - indent, height, text(value), align=align, new_x="LMARGIN", new_y="NEXT")

    def section(value: str) -> None:
        doc.ln(3)
        line(value, 11.5, "B", height=7)
        doc.ln(1)

    def table(rows: Iterable[Iterable[str]], widths: tuple[float, ...], align: tuple[str, ...]) -> None:
        doc.set_font(family, "", 8.5)
        with doc.table(col_widths=widths, text_align=align, headings_style=heading, line_height=4.6,
                       padding=1, width=width) as grid:
            for values in rows:
                row = grid.row()
                for value in values:
                    row.cell(text(value))

    # Heading
    line(GOVERNMENT.upper(), 11, "B", "C")
    line(AGENCY, 13, "B", "C", height=6.5)
    doc.set_line_width(0.6)
    doc.line(doc.l_margin, doc.get_y() + 1.5, doc.l_margin + width, doc.get_y() + 1.5)
    doc.ln(5)
    line(TITLE.upper(), 13, "B", "C", height=7)
    line(f"Bulan {report.period.label}", 11, "", "C")
    f = report.figures
    line(f"Keadaan per {format_wib(f.as_of)} {DASH} disusun {format_wib(generated_at)}", 8.5, "", "C")

    section("1. Ringkasan")
    table([("Uraian", "Jumlah")] + [
        (label, percent(value) if label in RATES else number(value)) for label, value in summary_rows(report)
    ] + [("Standar layanan", f"{number((f.service_standard_hours or 0) / HOURS_PER_WORKDAY)} hari kerja")],
        (130, width - 130), ("LEFT", "RIGHT"))

    section("2. Ketepatan waktu")
    line(f"Seluruh layanan: {share(f.completed_on_time, f.completed, f.service_on_time_rate)} "
         f"selesai dalam {number((f.service_standard_hours or 0) / HOURS_PER_WORKDAY)} hari kerja.", 9.5)
    doc.ln(1)
    table([("Langkah", "Standar (jam)", "Selesai", "Tepat waktu", "Median (jam)", "P90 (jam)")] + [
        (s.name, number(s.standard_hours), number(s.completed), share(s.on_time, s.completed, s.on_time_rate),
         number(s.median_hours, 2), number(s.p90_hours, 2)) for s in f.steps
    ], (62, 20, 17, 35, 20, width - 154), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    line("Durasi dalam jam layanan (1 hari kerja = 6 jam); median dan persentil ke-90 (peringkat terdekat) "
         "dari tugas yang selesai pada bulan ini.", 7.5)

    section("3. Daftar publikasi")
    if report.publications:
        table([("No", "Judul", "OPD", "Mulai (WIB)", "Terbit (WIB)", "Jam layanan", "Hari kerja")] + [
            (str(n), p.title, p.opd, short_wib(p.started_at), short_wib(p.published_at), number(p.service_hours, 2),
             number(p.working_days, 2)) for n, p in enumerate(report.publications, 1)
        ], (8, 50, 36, 24, 24, 16, width - 158), ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))
    else:
        line("Tidak ada publikasi yang terbit pada bulan ini.", 9.5)

    section("4. Kasus terlambat")
    if report.overdue:
        for n, case in enumerate(report.overdue, 1):
            state = "selesai " + short_wib(case.completed_at) if case.state == "completed" else "masih berjalan"
            service = (f"layanan terlambat {number(case.late_hours)} jam layanan" if case.late_hours
                       else "layanan masih dalam standar")
            line(f"{n}. {case.title}", 9.5, "B")
            line(f"Mulai {short_wib(case.started_at)}, tenggat layanan {short_wib(case.due_at)}, {state}; {service}.",
                 9, indent=5)
            for step in case.late_steps:
                line(f"Terlambat pada langkah {late_step_text(step)}.", 9, indent=5)
            for moment, note in case.revision_notes:
                line(f"Catatan revisi ({short_wib(moment)}): {note}", 9, indent=5)
            doc.ln(2)
    else:
        line("Tidak ada kasus yang melewati standar waktu pada bulan ini.", 9.5)

    if report.complaints is not None:
        c = report.complaints
        section("5. Pengaduan")
        table([("Uraian", "Jumlah")] + [
            (label, percent(value) if label in RATES else number(value, 2 if label in DAYS else 1))
            for label, value in complaint_summary_rows(c)
        ] + [("Standar layanan pengaduan", f"{number(c.standard_days)} hari kerja")],
            (130, width - 130), ("LEFT", "RIGHT"))
        line(f"Dijawab tepat waktu: {share(c.answered_on_time, c.answered, c.on_time_rate)}. Waktu menjawab "
             "dalam hari kerja (6 jam layanan) dari pengaduan diterima sampai dijawab; tepat waktu bila dijawab "
             "dalam standar layanan pengaduan; median dan persentil ke-90 (peringkat terdekat) dari pengaduan "
             "yang dijawab pada bulan ini.", 7.5)
        doc.ln(2)
        if report.complaint_rows:
            table([("No", "Tiket", "Subjek", "Diterima (WIB)", "Dijawab (WIB)", "Hari kerja", "Tepat waktu",
                    "Status")] + [
                (str(n), r.ticket or DASH, r.subject, short_wib(r.received_at), short_wib(r.answered_at),
                 number(r.answer_days, 2), on_time_text(r), r.status_label)
                for n, r in enumerate(report.complaint_rows, 1)
            ], (7, 35, 34, 21, 21, 14, 14, width - 146),  # a ticket fits on one line
                ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"))
        else:
            line("Tidak ada pengaduan pada bulan ini.", 9.5)

    # Signature block, kept on one page.
    if doc.get_y() + 8 + 5.5 * 6 + 24 + 4 > doc.h - doc.b_margin:
        doc.add_page()
    doc.ln(8)
    column = width / 2
    left, right = doc.l_margin, doc.l_margin + column
    top = doc.get_y()
    doc.set_font(family, "", 10)
    for x, rows in ((left, ["", "Dibuat oleh,", "Tim Data dan Statistik"]),
                    (right, [f"Magetan, {date_id(generated_at)}", "Mengetahui,", HEAD_OF_AGENCY, "Kabupaten Magetan"])):
        doc.set_xy(x, top)
        for row in rows:
            doc.set_x(x)
            doc.cell(column, 5.5, text(row), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_y(top + 5.5 * 4 + 24)
    for x in (left, right):
        doc.set_xy(x, top + 5.5 * 4 + 24)
        doc.cell(column, 5.5, text("(" + "." * 50 + ")"), align="C")
    doc.set_xy(right, top + 5.5 * 5 + 24)
    doc.cell(column, 5.5, text("NIP. " + "." * 40), align="C")
    return bytes(doc.output())


# XLSX ----------------------------------------------------------------------------------

SHEETS = ("Ringkasan", "Ketepatan Waktu", "Publikasi", "Terlambat", "Pengaduan")
DATE_FORMAT = "dd/mm/yyyy hh:mm"


def _wall(moment: datetime | None):
    """A naive WIB wall time for a spreadsheet cell."""
    return moment.astimezone(WIB).replace(tzinfo=None) if moment is not None else None


def xlsx(report: Report, *, generated_at: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E2E8F0")

    def sheet(name: str, headers: list[str], rows: list[list], widths: list[int], *, percent_cols=(),
              date_cols=(), decimal_cols=()):
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

    f = report.figures
    summary = [["Bulan", report.period.label], ["Keadaan per (WIB)", _wall(f.as_of)],
               ["Disusun (WIB)", _wall(generated_at)]]
    summary += [[label, value] for label, value in summary_rows(report)]
    if report.complaints is not None:
        summary += [[label, value] for label, value in complaint_summary_rows(report.complaints)]
    ws = sheet("Ringkasan", ["Uraian", "Nilai"], summary, [44, 22])
    for row in ws.iter_rows(min_row=2):
        if row[0].value in RATES:
            row[1].number_format = "0.0%"
        elif row[0].value in DAYS:
            row[1].number_format = "0.00"
        elif isinstance(row[1].value, datetime):
            row[1].number_format = DATE_FORMAT

    steps = [[s.name, s.bpmn_id, s.lane, s.standard_hours, s.completed, s.on_time, s.on_time_rate,
              s.median_hours, s.p90_hours] for s in f.steps]
    steps.append(["Seluruh layanan", "", "", f.service_standard_hours, f.completed, f.completed_on_time,
                  f.service_on_time_rate, None, None])
    sheet("Ketepatan Waktu", ["Langkah", "Kode langkah", "Lajur", "Standar (jam layanan)", "Selesai",
                              "Tepat waktu", "Ketepatan waktu", "Median (jam layanan)", "P90 (jam layanan)"],
          steps, [46, 16, 14, 12, 10, 12, 12, 12, 12], percent_cols={7}, decimal_cols={8, 9})

    sheet("Publikasi", ["No", "Judul", "OPD", "Data", "Mulai (WIB)", "Terbit (WIB)", "Durasi (jam layanan)",
                        "Durasi (hari kerja)", "Kanal"],
          [[n, p.title, p.opd, p.dataset, _wall(p.started_at), _wall(p.published_at), p.service_hours,
            p.working_days, ", ".join(p.channels)] for n, p in enumerate(report.publications, 1)],
          [5, 40, 34, 34, 17, 17, 12, 12, 20], date_cols={5, 6}, decimal_cols={7, 8})

    sheet("Terlambat", ["No", "Judul", "Status", "Mulai (WIB)", "Tenggat layanan (WIB)", "Selesai (WIB)",
                        "Terlambat layanan (jam layanan)", "Langkah terlambat", "Catatan revisi"],
          [[n, c.title, "selesai" if c.state == "completed" else "berjalan", _wall(c.started_at), _wall(c.due_at),
            _wall(c.completed_at), c.late_hours, "\n".join(late_step_text(s) for s in c.late_steps),
            "\n".join(note for _, note in c.revision_notes)] for n, c in enumerate(report.overdue, 1)],
          [5, 36, 10, 17, 17, 17, 12, 60, 40], date_cols={4, 5, 6}, decimal_cols={7})

    if report.complaints is not None:
        sheet("Pengaduan", ["No", "Tiket", "Subjek", "Diterima (WIB)", "Tenggat (WIB)", "Dikoreksi (WIB)",
                            "Dijawab (WIB)", "Waktu menjawab (jam layanan)", "Waktu menjawab (hari kerja)",
                            "Tepat waktu", "Ditutup (WIB)", "Status"],
              [[n, r.ticket, r.subject, _wall(r.received_at), _wall(r.due_at), _wall(r.corrected_at),
                _wall(r.answered_at), r.answer_hours, r.answer_days, None if r.on_time is None else on_time_text(r),
                _wall(r.closed_at), r.status_label] for n, r in enumerate(report.complaint_rows, 1)],
              [5, 16, 40, 17, 17, 17, 17, 12, 12, 10, 17, 14], date_cols={4, 5, 6, 7, 11}, decimal_cols={8, 9})

    book.properties.title = f"{TITLE} {report.period.label}"
    book.properties.creator = AGENCY
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
