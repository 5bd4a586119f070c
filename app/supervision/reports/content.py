"""What the monthly report holds (:class:`Report`, :func:`monthly`) and how its values read in
Indonesian, the same in the PDF and the workbook: numbers, rates, moments in WIB, the summary's
rows and the texts of late steps."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.workcal import BULAN, WIB
from app.supervision import stats
from app.supervision.stats import Period

AGENCY = "Dinas Komunikasi dan Informatika Kabupaten Magetan"
GOVERNMENT = "Pemerintah Kabupaten Magetan"
TITLE = "Laporan Penyebarluasan Data"
HEAD_OF_AGENCY = "Kepala Dinas Komunikasi dan Informatika"
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
