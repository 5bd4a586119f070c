"""The monthly report, as a PDF to sign and as XLSX, over the hand-computed fixture of
test_stats (November 2026; see its docstring for every number) and its complaints (see the
comment above test_stats.COMPLAINTS)."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from support.people import sign_in
from support.statistics import COMPLAINT_DATASET, NOW, REVISION_NOTE, build_complaints, build_fixture, wib

from app.core import pdf
from app.supervision import reports
from app.supervision.stats import Period
from app.supervision.web import dashboard

GENERATED = datetime(2026, 11, 26, 10, 0, tzinfo=NOW.tzinfo)
TITLES = ["Infografis Penduduk November", "Piramida Penduduk Magetan", "Imunisasi Dasar Lengkap"]


@pytest.fixture
def fixture(app, make_user):
    return build_fixture(app, make_user)


@pytest.fixture
def tickets(app, make_user, fixture):
    """The publications of the fixture and, beside them, the complaints; their tickets by letter."""
    return build_complaints(app, make_user)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages, "no pages"
    return "\n".join(page.extract_text() for page in reader.pages)


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_pdf_parses_with_the_month_counts_and_publications(app, fixture):
    with app.app_context():
        data = reports.pdf(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert "Dinas Komunikasi dan Informatika Kabupaten Magetan" in flat
    assert "LAPORAN PENYEBARLUASAN DATA" in flat and "Bulan November 2026" in flat
    for label, value in [("Publikasi dimulai", "7"), ("Publikasi selesai", "3"), ("Publikasi terbit", "3"),
                         ("Masih berjalan", "4"), ("Berjalan melewati standar layanan", "1"),
                         ("Tugas terbuka melewati standar langkah", "3"),
                         ("Ketepatan waktu layanan", "66,7%"), ("Tingkat revisi", "33,3%")]:
        assert f"{label} {value}" in flat, label
    for title in TITLES:
        assert title in flat
    assert "03/11/2026 10.30" in flat  # A published, in WIB
    assert "Seluruh layanan: 66,7% (2 dari 3)" in flat
    assert "80% (4 dari 5)" in flat  # tentukan_data
    # Overdue cases with their reasons: C's first step, late by 34 service hours, B's revision notes.
    assert "terlambat 34 jam layanan" in flat and "layanan terlambat 3 jam layanan" in flat
    assert REVISION_NOTE in flat
    assert "Mengetahui," in flat and "Kepala Dinas Komunikasi dan Informatika" in flat and "NIP." in flat
    assert "Magetan, 26 November 2026" in flat


def test_pdf_builds_without_the_dejavu_font(app, fixture, monkeypatch):
    """A machine without fonts-dejavu-core gets Helvetica with Latin-1 text."""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [("/nonexistent/a.ttf", "/nonexistent/b.ttf")])
    with app.app_context():
        data = reports.pdf(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    reader = PdfReader(io.BytesIO(data))
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts and all("Helvetica" in f for f in fonts), fonts
    flat = " ".join(pdf_text(data).split())
    assert "Bulan November 2026" in flat and "Imunisasi Dasar Lengkap" in flat


def test_pdf_with_dejavu_embeds_it(app, fixture):
    if pdf.font_pair() is None:
        pytest.skip("fonts-dejavu-core is not installed")
    with app.app_context():
        data = reports.pdf(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    reader = PdfReader(io.BytesIO(data))
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("DejaVu" in f for f in fonts), fonts


def test_xlsx_opens_with_the_expected_rows(app, fixture):
    with app.app_context():
        data = reports.xlsx(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ringkasan", "Ketepatan Waktu", "Publikasi", "Terlambat", "Pengaduan"]

    summary = {row[0]: row[1] for row in rows(book["Ringkasan"])[1:]}
    assert rows(book["Ringkasan"])[0] == ["Uraian", "Nilai"]
    assert summary["Bulan"] == "November 2026"
    assert (summary["Publikasi dimulai"], summary["Publikasi selesai"], summary["Publikasi terbit"],
            summary["Masih berjalan"], summary["Berjalan melewati standar layanan"],
            summary["Tugas terbuka melewati standar langkah"]) == (7, 3, 3, 4, 1, 3)
    assert summary["Ketepatan waktu layanan"] == pytest.approx(2 / 3)
    assert summary["Tingkat revisi"] == pytest.approx(1 / 3)

    steps = rows(book["Ketepatan Waktu"])
    assert steps[0][:3] == ["Langkah", "Kode langkah", "Lajur"]
    assert [r[1] for r in steps[1:7]] == ["tentukan_data", "ambil_data", "desain", "caption", "periksa", "publikasi"]
    assert steps[1][3:9] == [6, 5, 4, pytest.approx(0.8), 1, 40]
    assert steps[3][3:9] == [6, 4, 3, pytest.approx(0.75), 1, 6.5]
    assert steps[7][0] == "Seluruh layanan" and steps[7][3:7] == [42, 3, 2, pytest.approx(2 / 3)]

    publications = rows(book["Publikasi"])
    assert publications[0][:2] == ["No", "Judul"] and len(publications) == 4
    assert [r[1] for r in publications[1:]] == TITLES
    assert publications[1][4:8] == [wib(2, 8).replace(tzinfo=None), wib(3, 10, 30).replace(tzinfo=None), 8.5,
                                    pytest.approx(8.5 / 6)]
    assert publications[3][2:4] == ["Dinas Kesehatan", "Cakupan Imunisasi"] and publications[3][6:8] == [45, 7.5]

    late = rows(book["Terlambat"])
    assert late[0][:3] == ["No", "Judul", "Status"] and len(late) == 6
    by_title = {r[1]: r for r in late[1:]}
    assert by_title["Imunisasi Dasar Lengkap"][2] == "selesai" and by_title["Imunisasi Dasar Lengkap"][6] == 3
    assert "terlambat 34 jam layanan" in by_title["Imunisasi Dasar Lengkap"][7]
    assert by_title["Piramida Penduduk Magetan"][8] == REVISION_NOTE
    assert by_title["Kunjungan Wisata"][2] == "berjalan" and by_title["Kunjungan Wisata"][5] is None


def test_an_empty_month_still_makes_both_files(app):
    with app.app_context():
        report = reports.monthly(Period(2026, 1), NOW)
        pdf = reports.pdf(report, generated_at=GENERATED)
        book = load_workbook(io.BytesIO(reports.xlsx(report, generated_at=GENERATED)))
    flat = " ".join(pdf_text(pdf).split())
    assert "Bulan Januari 2026" in flat and "Tidak ada publikasi yang terbit pada bulan ini." in flat
    assert "5. Pengaduan" in flat and "Pengaduan diterima 0" in flat and "Tidak ada pengaduan pada bulan ini." in flat
    assert len(rows(book["Publikasi"])) == 1 and len(rows(book["Terlambat"])) == 1
    assert len(rows(book["Pengaduan"])) == 1


def test_downloads_for_pengawas_and_admin_only(app, fixture, monkeypatch):
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)  # the screens' clock, fixed
    pengawas = sign_in(app, "pengawas1")
    response = pengawas.get("/dasbor/laporan/2026-11.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "laporan-penyebarluasan-2026-11.pdf" in response.headers["Content-Disposition"]
    assert "Bulan November 2026" in " ".join(pdf_text(response.data).split())

    admin = sign_in(app, "admin1")
    response = admin.get("/dasbor/laporan/2026-11.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "laporan-penyebarluasan-2026-11.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert [r[1] for r in rows(book["Publikasi"])[1:]] == TITLES

    for name in ("redaktur1", "desain1"):
        assert sign_in(app, name).get("/dasbor/laporan/2026-11.pdf").status_code == 403
    assert app.test_client().get("/dasbor/laporan/2026-11.pdf").status_code == 302  # to sign-in
    assert pengawas.get("/dasbor/laporan/2026-13.pdf").status_code == 404
    assert pengawas.get("/dasbor/laporan/2026-11.docx").status_code == 404
    assert pengawas.get("/dasbor/laporan/2026-12.pdf").status_code == 404  # not begun at NOW


@pytest.mark.parametrize("count", range(0, 30, 2))
def test_the_signature_block_is_never_split_across_pages(count):
    """However long the list above it, the block to sign stays on one page."""
    from app.supervision import stats

    figures = stats.Figures(
        period=Period(2026, 11), now=NOW, as_of=NOW, started=count, completed=count, completed_on_time=count,
        published=count, running=0, overdue_instances=0, overdue_tasks=0, revised=0, steps=[],
        per_month=[], per_opd=[], service_standard_hours=42)
    rows = [stats.PublicationRow(id=n, title=f"Publikasi nomor {n}", opd="Dinas Kesehatan", dataset="Data",
                                 started_at=wib(2, 8), published_at=wib(3, 8), service_hours=6, channels=["website"])
            for n in range(count)]
    complaints = stats.ComplaintFigures(
        period=Period(2026, 11), now=NOW, as_of=NOW, received=count, answered=count, answered_on_time=count,
        corrected=0, closed=count, open=0, overdue_open=0, median_hours=6, p90_hours=6, per_month=[], standard_hours=30)
    complaint_rows = [stats.ComplaintRow(
        instance_id=n, ticket=f"ADU-{n:04d}-WWWW", subject=f"Pengaduan nomor {n}", received_at=wib(2, 8),
        due_at=wib(9, 8), corrected_at=None, answered_at=wib(3, 8), closed_at=wib(3, 9), answer_hours=6,
        status="selesai") for n in range(count)]
    data = reports.pdf(reports.Report(figures, rows, [], complaints, complaint_rows), generated_at=GENERATED)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]
    signing = [n for n, text in enumerate(pages) if "Mengetahui," in text]
    assert len(signing) == 1 and "NIP." in pages[signing[0]] and "Kabupaten Magetan (" in pages[signing[0]]
    assert all(f"Publikasi nomor {n}" in " ".join(pages) for n in range(count))
    assert all(f"ADU-{n:04d}-WWWW Pengaduan nomor {n}" in " ".join(pages) for n in range(count))


def test_pdf_has_the_complaints_of_the_month(app, tickets):
    with app.app_context():
        data = reports.pdf(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    flat = " ".join(pdf_text(data).split())
    assert "5. Pengaduan" in flat
    assert flat.index("4. Kasus terlambat") < flat.index("5. Pengaduan") < flat.index("Mengetahui,")
    for label, value in [("Pengaduan diterima", "3"), ("Pengaduan dijawab", "3"),
                         ("Pengaduan dijawab tepat waktu", "2"),
                         ("Ketepatan waktu menjawab pengaduan", "66,7%"), ("Pengaduan dikoreksi", "1"),
                         ("Pengaduan ditutup", "2"), ("Pengaduan masih terbuka", "2"),
                         ("Pengaduan terbuka melewati standar", "1"), ("Median waktu menjawab (hari kerja)", "2"),
                         ("Persentil ke-90 waktu menjawab (hari kerja)", "6,5"),
                         ("Standar layanan pengaduan", "5 hari kerja")]:
        assert f"{label} {value}" in flat, label
    assert "Dijawab tepat waktu: 66,7% (2 dari 3)." in flat
    # Each complaint of the month on its row, in the order received: ticket, subject, times, status.
    for letter in "SPQR":
        assert f"{tickets[letter]} {COMPLAINT_DATASET}" in flat, letter
    assert flat.index(tickets["S"]) < flat.index(tickets["P"]) < flat.index(tickets["Q"]) < flat.index(tickets["R"])
    assert "04/11/2026 08.00 12/11/2026 14.00 6,5 tidak Dijawab" in flat  # Q: answered late
    assert "02/11/2026 08.00 03/11/2026 08.00 1 ya Selesai" in flat  # P
    assert "23/11/2026 08.00 — — — Diterima" in flat  # R: still open


def test_xlsx_has_the_complaints_sheet(app, tickets):
    with app.app_context():
        data = reports.xlsx(reports.monthly(Period(2026, 11), NOW), generated_at=GENERATED)
    book = load_workbook(io.BytesIO(data))
    summary = {row[0]: row[1] for row in rows(book["Ringkasan"])[1:]}
    assert (summary["Pengaduan diterima"], summary["Pengaduan dijawab"], summary["Pengaduan dijawab tepat waktu"],
            summary["Pengaduan dikoreksi"], summary["Pengaduan ditutup"], summary["Pengaduan masih terbuka"],
            summary["Pengaduan terbuka melewati standar"]) == (3, 3, 2, 1, 2, 2, 1)
    assert summary["Ketepatan waktu menjawab pengaduan"] == pytest.approx(2 / 3)
    assert (summary["Median waktu menjawab (hari kerja)"],
            summary["Persentil ke-90 waktu menjawab (hari kerja)"]) == (2, 6.5)
    assert summary["Publikasi dimulai"] == 7  # the publication figures as before

    sheet = rows(book["Pengaduan"])
    assert sheet[0] == ["No", "Tiket", "Subjek", "Diterima (WIB)", "Tenggat (WIB)", "Dikoreksi (WIB)", "Dijawab (WIB)",
                        "Waktu menjawab (jam layanan)", "Waktu menjawab (hari kerja)", "Tepat waktu", "Ditutup (WIB)",
                        "Status"]

    def wall(day, hour, month=11):
        return wib(day, hour, month=month).replace(tzinfo=None)

    assert sheet[1:] == [
        [1, tickets["S"], COMPLAINT_DATASET, wall(29, 8, 10), wall(5, 10), None, wall(2, 10), 12, 2, "ya",
         wall(2, 11), "Selesai"],
        [2, tickets["P"], COMPLAINT_DATASET, wall(2, 8), wall(9, 10), None, wall(3, 8), 6, 1, "ya", wall(3, 9),
         "Selesai"],
        [3, tickets["Q"], COMPLAINT_DATASET, wall(4, 8), wall(11, 10), wall(12, 10), wall(12, 14), 39, 6.5, "tidak",
         None, "Dijawab"],
        [4, tickets["R"], COMPLAINT_DATASET, wall(23, 8), wall(30, 10), None, None, None, None, None, None, "Diterima"],
    ]
    assert book["Pengaduan"]["D2"].number_format == reports.DATE_FORMAT

