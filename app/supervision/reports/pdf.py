"""The monthly report as an A4 PDF to print and sign for the manual archive: a heading, a section
per part of the report, and the signature block."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fpdf.fonts import FontFace

from app.core.pdf import Printout
from app.core.workcal import HOURS_PER_WORKDAY, format_wib

from .content import (
    AGENCY,
    DASH,
    DAYS,
    GOVERNMENT,
    HEAD_OF_AGENCY,
    RATES,
    TITLE,
    Report,
    complaint_summary_rows,
    date_id,
    late_step_text,
    number,
    on_time_text,
    percent,
    share,
    short_wib,
    summary_rows,
)


class _Writer:
    """The report's three ways of writing on the page: a line of text, a section's title and a table."""

    def __init__(self, doc: Printout):
        self.doc, self.width = doc, doc.epw
        self.heading = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))

    def line(self, value: str, size: float = 10, style: str = "", align: str = "L", height: float = 5.5,
             indent: float = 0) -> None:
        doc = self.doc
        doc.set_font(doc.family, style, size)
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(self.width - indent, height, doc.text(value), align=align, new_x="LMARGIN", new_y="NEXT")

    def section(self, value: str) -> None:
        self.doc.ln(3)
        self.line(value, 11.5, "B", height=7)
        self.doc.ln(1)

    def table(self, rows: Iterable[Iterable[str]], widths: tuple[float, ...], align: tuple[str, ...]) -> None:
        doc = self.doc
        doc.set_font(doc.family, "", 8.5)
        with doc.table(col_widths=widths, text_align=align, headings_style=self.heading, line_height=4.6,
                       padding=1, width=self.width) as grid:
            for values in rows:
                row = grid.row()
                for value in values:
                    row.cell(doc.text(value))


def pdf(report: Report, *, generated_at: datetime) -> bytes:
    doc = Printout(orientation="P", footer=(8, 12, 5),
                   footer_text=lambda page: f"{TITLE} {report.period.label} {DASH} halaman {page} dari {{nb}}")
    doc.set_title(doc.text(f"{TITLE} {report.period.label}"))
    doc.set_author(doc.text(AGENCY))
    doc.set_creation_date(generated_at)
    doc.set_margins(18, 15, 18)
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    out = _Writer(doc)
    _heading(out, report, generated_at)
    _summary(out, report)
    _timeliness(out, report)
    _publications(out, report)
    _overdue(out, report)
    if report.complaints is not None:
        _complaints(out, report)
    _signature(doc, generated_at)
    return bytes(doc.output())


def _heading(out: _Writer, report: Report, generated_at: datetime) -> None:
    doc = out.doc
    out.line(GOVERNMENT.upper(), 11, "B", "C")
    out.line(AGENCY, 13, "B", "C", height=6.5)
    doc.set_line_width(0.6)
    doc.line(doc.l_margin, doc.get_y() + 1.5, doc.l_margin + out.width, doc.get_y() + 1.5)
    doc.ln(5)
    out.line(TITLE.upper(), 13, "B", "C", height=7)
    out.line(f"Bulan {report.period.label}", 11, "", "C")
    out.line(f"Keadaan per {format_wib(report.figures.as_of)} {DASH} disusun {format_wib(generated_at)}",
             8.5, "", "C")


def _summary(out: _Writer, report: Report) -> None:
    f = report.figures
    out.section("1. Ringkasan")
    out.table([("Uraian", "Jumlah")] + [
        (label, percent(value) if label in RATES else number(value)) for label, value in summary_rows(report)
    ] + [("Standar layanan", f"{number((f.service_standard_hours or 0) / HOURS_PER_WORKDAY)} hari kerja")],
        (130, out.width - 130), ("LEFT", "RIGHT"))


def _timeliness(out: _Writer, report: Report) -> None:
    f = report.figures
    out.section("2. Ketepatan waktu")
    out.line(f"Seluruh layanan: {share(f.completed_on_time, f.completed, f.service_on_time_rate)} "
             f"selesai dalam {number((f.service_standard_hours or 0) / HOURS_PER_WORKDAY)} hari kerja.", 9.5)
    out.doc.ln(1)
    out.table([("Langkah", "Standar (jam)", "Selesai", "Tepat waktu", "Median (jam)", "P90 (jam)")] + [
        (s.name, number(s.standard_hours), number(s.completed), share(s.on_time, s.completed, s.on_time_rate),
         number(s.median_hours, 2), number(s.p90_hours, 2)) for s in f.steps
    ], (62, 20, 17, 35, 20, out.width - 154), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    out.line("Durasi dalam jam layanan (1 hari kerja = 6 jam); median dan persentil ke-90 (peringkat terdekat) "
             "dari tugas yang selesai pada bulan ini.", 7.5)


def _publications(out: _Writer, report: Report) -> None:
    out.section("3. Daftar publikasi")
    if not report.publications:
        out.line("Tidak ada publikasi yang terbit pada bulan ini.", 9.5)
        return
    out.table([("No", "Judul", "OPD", "Mulai (WIB)", "Terbit (WIB)", "Jam layanan", "Hari kerja")] + [
        (str(n), p.title, p.opd, short_wib(p.started_at), short_wib(p.published_at), number(p.service_hours, 2),
         number(p.working_days, 2)) for n, p in enumerate(report.publications, 1)
    ], (8, 50, 36, 24, 24, 16, out.width - 158), ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))


def _overdue(out: _Writer, report: Report) -> None:
    out.section("4. Kasus terlambat")
    if not report.overdue:
        out.line("Tidak ada kasus yang melewati standar waktu pada bulan ini.", 9.5)
        return
    for n, case in enumerate(report.overdue, 1):
        state = "selesai " + short_wib(case.completed_at) if case.state == "completed" else "masih berjalan"
        service = (f"layanan terlambat {number(case.late_hours)} jam layanan" if case.late_hours
                   else "layanan masih dalam standar")
        out.line(f"{n}. {case.title}", 9.5, "B")
        out.line(f"Mulai {short_wib(case.started_at)}, tenggat layanan {short_wib(case.due_at)}, {state}; {service}.",
                 9, indent=5)
        for step in case.late_steps:
            out.line(f"Terlambat pada langkah {late_step_text(step)}.", 9, indent=5)
        for moment, note in case.revision_notes:
            out.line(f"Catatan revisi ({short_wib(moment)}): {note}", 9, indent=5)
        out.doc.ln(2)


def _complaints(out: _Writer, report: Report) -> None:
    c = report.complaints
    out.section("5. Pengaduan")
    out.table([("Uraian", "Jumlah")] + [
        (label, percent(value) if label in RATES else number(value, 2 if label in DAYS else 1))
        for label, value in complaint_summary_rows(c)
    ] + [("Standar layanan pengaduan", f"{number(c.standard_days)} hari kerja")],
        (130, out.width - 130), ("LEFT", "RIGHT"))
    out.line(f"Dijawab tepat waktu: {share(c.answered_on_time, c.answered, c.on_time_rate)}. Waktu menjawab "
             "dalam hari kerja (6 jam layanan) dari pengaduan diterima sampai dijawab; tepat waktu bila dijawab "
             "dalam standar layanan pengaduan; median dan persentil ke-90 (peringkat terdekat) dari pengaduan "
             "yang dijawab pada bulan ini.", 7.5)
    out.doc.ln(2)
    if not report.complaint_rows:
        out.line("Tidak ada pengaduan pada bulan ini.", 9.5)
        return
    out.table([("No", "Tiket", "Subjek", "Diterima (WIB)", "Dijawab (WIB)", "Hari kerja", "Tepat waktu",
                "Status")] + [
        (str(n), r.ticket or DASH, r.subject, short_wib(r.received_at), short_wib(r.answered_at),
         number(r.answer_days, 2), on_time_text(r), r.status_label)
        for n, r in enumerate(report.complaint_rows, 1)
    ], (7, 35, 34, 21, 21, 14, 14, out.width - 146),  # a ticket fits on one line
        ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"))


def _signature(doc: Printout, generated_at: datetime) -> None:
    """The signature block, kept on one page."""
    if doc.get_y() + 8 + 5.5 * 6 + 24 + 4 > doc.h - doc.b_margin:
        doc.add_page()
    doc.ln(8)
    column = doc.epw / 2
    left, right = doc.l_margin, doc.l_margin + column
    top = doc.get_y()
    doc.set_font(doc.family, "", 10)
    for x, rows in ((left, ["", "Dibuat oleh,", "Tim Data dan Statistik"]),
                    (right, [f"Magetan, {date_id(generated_at)}", "Mengetahui,", HEAD_OF_AGENCY, "Kabupaten Magetan"])):
        doc.set_xy(x, top)
        for row in rows:
            doc.set_x(x)
            doc.cell(column, 5.5, doc.text(row), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_y(top + 5.5 * 4 + 24)
    for x in (left, right):
        doc.set_xy(x, top + 5.5 * 4 + 24)
        doc.cell(column, 5.5, doc.text("(" + "." * 50 + ")"), align="C")
    doc.set_xy(right, top + 5.5 * 5 + 24)
    doc.cell(column, 5.5, doc.text("NIP. " + "." * 40), align="C")
