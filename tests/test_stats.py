"""Dashboard figures against the hand-computed fixture of tests/support/statistics.py, whose
docstring works out every instance's and every complaint's service hours.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.people import sign_in
from support.statistics import COMPLAINT_DATASET, NOW, REVISION_NOTE, build_complaints, build_fixture, wib

from app.supervision import stats
from app.supervision.stats import Period


@pytest.fixture
def fixture(app, make_user):
    return build_fixture(app, make_user)


def step(figures, bpmn_id):
    return next(s for s in figures.steps if s.bpmn_id == bpmn_id)


def test_periods_are_months_in_wib():
    november = Period(2026, 11)
    assert november.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert november.key == "2026-11" and november.label == "November 2026"
    assert Period(2026, 12).shift(1) == Period(2027, 1) and Period(2026, 1).shift(-1) == Period(2025, 12)
    # 1 December 00:30 WIB is still 30 November in UTC, and already December in WIB.
    assert stats.month_of(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)) == Period(2026, 12)
    assert stats.parse_month("2026-11") == november
    assert stats.parse_month("2026-13") is None and stats.parse_month("Nov") is None


def test_median_and_nearest_rank_percentile():
    assert stats.median([]) is None and stats.percentile([], 90) is None
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 2, 3]) == 2.5
    values = list(range(1, 11))  # 1..10: rank ceil(0.9 × 10) = 9
    assert stats.percentile(values, 90) == 9
    assert stats.percentile(list(range(1, 12)), 90) == 10  # ceil(9.9) = 10
    assert stats.percentile([5, 1], 50) == 1 and stats.percentile([5, 1], 51) == 5
    assert stats.percentile([7, 3], 0) == 3 and stats.percentile([7, 3], 100) == 7


def test_dashboard_figures_equal_the_hand_computed_fixture(app, fixture):
    with app.app_context():
        figures = stats.figures(NOW)
    assert figures.period == Period(2026, 11) and figures.as_of == NOW
    assert figures.started == 7  # A B C E F G H (D started in October)
    assert figures.completed == 3  # A B C
    assert figures.completed_on_time == 2 and figures.service_on_time_rate == 2 / 3  # C was late
    assert figures.published == 3
    assert figures.running == 4  # E F G H
    assert figures.overdue_instances == 1  # G: 48 h > 42 h
    assert figures.overdue_tasks == 3  # E ambil_data, G and H tentukan_data
    assert figures.revised == 1 and figures.revision_rate == 1 / 3  # B
    assert figures.service_standard_hours == 42

    assert [s.bpmn_id for s in figures.steps] == [
        "tentukan_data", "ambil_data", "desain", "caption", "periksa", "publikasi"]
    assert all(s.standard_hours == 6 for s in figures.steps)
    expected = {
        # completed, on time, median, p90 (nearest rank), open, overdue open, mean waiting
        "tentukan_data": (5, 4, 1, 40, 2, 2, 28),  # [0.5, 0.5, 1, 1, 40]; G 48 and H 8 waiting
        "ambil_data": (4, 4, 0.75, 1, 1, 1, 19),  # [0.5, 0.5, 1, 1]; E waiting
        "desain": (4, 3, 1, 6.5, 1, 0, 1),  # [1, 1, 1, 6.5]; F waiting
        "caption": (4, 4, 1, 1, 0, 0, None),
        "periksa": (4, 4, 1, 2.5, 0, 0, None),  # [0.5, 1, 1, 2.5]
        "publikasi": (3, 3, 2, 5, 0, 0, None),  # [1, 2, 5]
    }
    for bpmn_id, (completed, on_time, med, p90, open_, late, waiting) in expected.items():
        s = step(figures, bpmn_id)
        assert (s.completed, s.on_time, s.median_hours, s.p90_hours, s.open, s.overdue_open, s.waiting_hours) \
            == (completed, on_time, med, p90, open_, late, waiting), bpmn_id
    assert step(figures, "tentukan_data").on_time_rate == 4 / 5
    assert step(figures, "desain").on_time_rate == 3 / 4
    assert step(figures, "caption").on_time_rate == 1

    months = figures.per_month
    assert [p for p, _ in months] == [Period(2025, 12).shift(n) for n in range(12)]
    assert dict(months)[Period(2026, 10)] == 1 and dict(months)[Period(2026, 11)] == 3
    assert sum(count for _, count in months) == 4
    assert figures.per_opd == [("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil", 2),
                               ("dinkes", "Dinas Kesehatan", 1)]


def test_a_past_month_is_seen_as_it_stood_when_it_ended(app, fixture):
    with app.app_context():
        october = stats.figures(NOW, Period(2026, 10))
    assert october.as_of == Period(2026, 11).start
    assert (october.started, october.completed, october.completed_on_time, october.published) == (1, 1, 1, 1)
    assert (october.running, october.overdue_instances, october.overdue_tasks, october.revised) == (0, 0, 0, 0)
    assert all((s.completed, s.on_time, s.median_hours, s.p90_hours, s.open) == (1, 1, 1, 1, 0)
               for s in october.steps)
    assert october.per_opd == [("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil", 1)]
    assert dict(october.per_month)[Period(2026, 10)] == 1 and Period(2026, 11) not in dict(october.per_month)


def test_the_clock_decides_what_has_happened(app, fixture):
    """Seen from Wednesday 18 November 12:30, C is not yet published and its tentukan_data
    was done late; seen from the middle of A's review, A is still running."""
    with app.app_context():
        earlier = stats.figures(wib(18, 12, 30))
        during_a = stats.figures(wib(2, 13))
    assert (earlier.completed, earlier.published, earlier.running) == (2, 2, 2)  # A B done; C G running
    assert step(earlier, "publikasi").open == 1 and step(earlier, "publikasi").waiting_hours == 0
    assert step(earlier, "tentukan_data").on_time == 2 and step(earlier, "tentukan_data").completed == 3
    assert (during_a.started, during_a.running, during_a.completed) == (1, 1, 0)
    assert step(during_a, "periksa").open == 1 and step(during_a, "periksa").waiting_hours == 0
    assert during_a.service_on_time_rate is None and during_a.revision_rate is None


def test_lists_of_the_report(app, fixture):
    with app.app_context():
        rows = stats.publications_in(Period(2026, 11), NOW)
        cases = stats.overdue_cases(Period(2026, 11), NOW)
    assert [r.title for r in rows] == ["Infografis Penduduk November", "Piramida Penduduk Magetan",
                                       "Imunisasi Dasar Lengkap"]
    assert [(r.service_hours, r.working_days) for r in rows] == [(8.5, 8.5 / 6), (17, 17 / 6), (45, 7.5)]
    assert rows[2].opd == "Dinas Kesehatan" and rows[2].dataset == "Cakupan Imunisasi"
    assert rows[0].published_at == wib(3, 10, 30)

    by_title = {c.title: c for c in cases}
    # B: only its second design was late; C: the service and its first step; E, G, H: open work past due.
    assert set(by_title) == {"Piramida Penduduk Magetan", "Imunisasi Dasar Lengkap", "Angka Kelahiran",
                             "Kunjungan Wisata", "Luas Panen Padi"}
    b = by_title["Piramida Penduduk Magetan"]
    assert b.late_hours == 0 and [(s.bpmn_id, s.late_hours) for s in b.late_steps] == [("desain", 0.5)]
    assert [note for _, note in b.revision_notes] == [REVISION_NOTE]
    c = by_title["Imunisasi Dasar Lengkap"]
    assert c.state == "completed" and c.late_hours == 3
    assert [(s.bpmn_id, s.late_hours) for s in c.late_steps] == [("tentukan_data", 34)]
    g = by_title["Kunjungan Wisata"]
    assert g.state == "running" and g.late_hours == 6  # due Wed 25 Nov 10:00 (42 h): 2 + 2 + 2 h to now
    assert [(s.bpmn_id, s.completed_at, s.late_hours) for s in g.late_steps] == [("tentukan_data", None, 42)]
    e = by_title["Angka Kelahiran"]
    assert e.late_hours == 0 and [(s.bpmn_id, s.late_hours) for s in e.late_steps] == [("ambil_data", 13)]


def test_the_dashboard_screen_shows_the_figures_to_pengawas_and_admin_only(app, fixture, monkeypatch):
    import re

    from app.supervision.web import dashboard

    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    pengawas = sign_in(app, "pengawas1")
    page = pengawas.get("/dasbor").get_data(as_text=True)
    assert "Dasbor Pengawasan · November 2026" in page
    assert 'href="/dasbor"' in page  # the navigation's "Dasbor"

    def card(name):
        match = re.search(rf'data-figure="{name}".*?class="figure-value[^"]*">([^<]+)<', page, re.S)
        return match[1].strip()

    assert [card(n) for n in ("running", "completed", "overdue", "on-time", "revision", "published")] == \
        ["4", "3", "1", "66,7%", "33,3%", "3"]
    row = re.search(r'data-table="waiting".*?data-step="tentukan_data">(.*?)</tr>', page, re.S)[1]
    assert re.findall(r">([^<>]+)</td>", row) == ["Redaktur", "2", "2", "28 jam"]
    row = re.search(r'data-table="duration".*?data-step="ambil_data">(.*?)</tr>', page, re.S)[1]
    assert re.findall(r">([^<>]+)</td>", row) == ["6 jam", "0,75 jam", "1 jam"]
    assert '/dasbor/laporan/2026-11.pdf' in page and '/dasbor/laporan/2026-11.xlsx' in page
    assert 'data-heat="{&#34;tentukan_data&#34;: {&#34;hours&#34;: 28.0' in page

    october = pengawas.get("/dasbor?period=2026-10").get_data(as_text=True)
    assert "Dasbor Pengawasan · Oktober 2026" in october and "/dasbor/laporan/2026-10.pdf" in october
    # A month that has not begun, or no month at all, shows the current one.
    for odd in ("2026-12", "kemarin", "2026-00"):
        assert "Dasbor Pengawasan · November 2026" in pengawas.get(f"/dasbor?period={odd}").get_data(as_text=True)

    xml = pengawas.get("/dasbor/diagram.bpmn")
    assert xml.status_code == 200 and b'id="ambil_data"' in xml.data
    assert sign_in(app, "admin1").get("/dasbor").status_code == 200
    for name in ("redaktur1", "desain1"):
        other = sign_in(app, name)
        assert other.get("/dasbor").status_code == 403
        assert other.get("/dasbor/diagram.bpmn").status_code == 403
        assert 'href="/dasbor"' not in other.get("/tugas").get_data(as_text=True)
    assert app.test_client().get("/dasbor").status_code == 302


def test_complaint_runs_leave_the_publication_figures_alone(app, fixture, make_user):
    """Complaints start, wait past their standards and complete tasks beside the publications;
    no publication figure, step, overdue case or list changes."""
    months = (Period(2026, 10), Period(2026, 11))

    def publication_figures():
        with app.app_context():
            return {p: (stats.figures(NOW, p), stats.overdue_cases(p, NOW), stats.publications_in(p, NOW))
                    for p in months}

    before = publication_figures()
    build_complaints(app, make_user)
    after = publication_figures()
    with app.app_context():
        assert stats.complaint_figures(NOW).received == 3  # the complaints are there
    assert after == before
    november = after[Period(2026, 11)][0]
    assert (november.started, november.completed, november.running, november.overdue_instances,
            november.overdue_tasks, november.service_standard_hours) == (7, 3, 4, 1, 3, 42)
    assert [s.bpmn_id for s in november.steps] == [
        "tentukan_data", "ambil_data", "desain", "caption", "periksa", "publikasi"]


@pytest.fixture
def complaint_fixture(app, make_user):
    return build_complaints(app, make_user)


def test_complaint_figures_equal_the_hand_computed_fixture(app, complaint_fixture):
    with app.app_context():
        figures = stats.complaint_figures(NOW)
        rows = stats.complaints_in(Period(2026, 11), NOW)
    assert figures.period == Period(2026, 11) and figures.as_of == NOW
    assert (figures.received, figures.answered, figures.answered_on_time, figures.corrected, figures.closed,
            figures.open, figures.overdue_open) == (3, 3, 2, 1, 2, 2, 1)
    assert figures.on_time_rate == 2 / 3
    assert (figures.median_hours, figures.p90_hours) == (12, 39)
    assert (figures.median_days, figures.p90_days) == (2, 6.5)
    assert (figures.standard_hours, figures.standard_days) == (30, 5)
    assert [p for p, _ in figures.per_month] == [Period(2025, 12).shift(n) for n in range(12)]
    assert dict(figures.per_month)[Period(2026, 10)] == 1 and dict(figures.per_month)[Period(2026, 11)] == 3
    assert sum(count for _, count in figures.per_month) == 4

    t = complaint_fixture
    assert [r.ticket for r in rows] == [t["S"], t["P"], t["Q"], t["R"]]
    assert all(r.subject == COMPLAINT_DATASET for r in rows)
    assert [r.status for r in rows] == ["selesai", "selesai", "dijawab", "diterima"]
    assert [r.status_label for r in rows] == ["Selesai", "Selesai", "Dijawab", "Diterima"]
    assert [r.answer_hours for r in rows] == [12, 6, 39, None]
    assert [r.answer_days for r in rows] == [2, 1, 6.5, None]
    assert [r.on_time for r in rows] == [True, True, False, None]
    s, p, q, r = rows
    assert s.received_at == wib(29, 8, month=10) and s.answered_at == wib(2, 10) and s.closed_at == wib(2, 11)
    assert q.due_at == wib(11, 10) and q.corrected_at == wib(12, 10) and q.closed_at is None
    assert r.due_at == wib(30, 10) and (r.corrected_at, r.answered_at, r.closed_at) == (None, None, None)


def test_complaints_of_a_past_month_and_at_an_earlier_moment(app, complaint_fixture):
    """October as it ended: S received and verified, nothing answered. Seen from Wednesday
    11 November 12:00: Q is verified, past its due time and not yet corrected."""
    with app.app_context():
        october = stats.complaint_figures(NOW, Period(2026, 10))
        october_rows = stats.complaints_in(Period(2026, 10), NOW)
        earlier = stats.complaint_figures(wib(11, 12))
        earlier_rows = stats.complaints_in(Period(2026, 11), wib(11, 12))
        january = stats.complaint_figures(NOW, Period(2026, 1))
    assert (october.received, october.answered, october.corrected, october.closed, october.open,
            october.overdue_open) == (1, 0, 0, 0, 1, 0)
    assert october.median_days is None and october.on_time_rate is None
    assert Period(2026, 11) not in dict(october.per_month)
    assert [(r.ticket, r.status, r.answered_at) for r in october_rows] == \
        [(complaint_fixture["S"], "diverifikasi", None)]

    assert (earlier.received, earlier.answered, earlier.answered_on_time, earlier.corrected, earlier.closed,
            earlier.open, earlier.overdue_open) == (2, 2, 2, 0, 2, 1, 1)
    assert (earlier.median_hours, earlier.p90_hours) == (9, 12)  # [6, 12]
    assert [r.status for r in earlier_rows] == ["selesai", "selesai", "diverifikasi"]  # R not yet received

    assert (january.received, january.answered, january.open) == (0, 0, 0)
    assert january.per_month[-1] == (Period(2026, 1), 0)


def test_the_dashboard_shows_the_complaints_of_the_month(app, complaint_fixture, make_user, monkeypatch):
    import re

    from app.supervision.web import dashboard

    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    make_user("pengawas1", "pengawas")
    page = sign_in(app, "pengawas1").get("/dasbor").get_data(as_text=True)
    section = re.search(r'<section[^>]*data-section="complaints".*?</section>', page, re.S)[0]
    assert '<h2 class="h5 mb-1" id="complaints-title">Pengaduan</h2>' in section

    def card(name):
        found = re.search(rf'data-complaint-figure="{name}".*?class="figure-value[^"]*">([^<]+)<', section, re.S)
        return found[1].strip()

    assert [card(n) for n in ("received", "answered", "on-time", "median", "open", "closed")] == \
        ["3", "3", "66,7%", "2", "2", "2"]
    assert "2 dari 3 dijawab" in section and "dikoreksi: 1" in section and "1 melewati standar" in section
    assert "hari kerja; persentil ke-90: 6,5" in section
    assert "(5 hari kerja)" in section
    assert 'href="/pengaduan/daftar"' in section  # the staff's list of complaints
    # Complaints received per month: a bar per month of the twelve, the same numbers in the table.
    assert section.count('<rect class="bar bar-month"') == 12 and 'data-chart="chart-complaints"' in section
    table = re.search(r'data-table="complaint-months">(.*?)</table>', section, re.S)[1]
    counts = re.findall(r'<td class="text-end">(\d+)</td>', table)
    assert len(counts) == 12 and counts[-2:] == ["1", "3"]
    # The publication figures beside them are untouched: no publication run, no step of the complaints.
    assert re.search(r'data-figure="running".*?class="figure-value[^"]*">([^<]+)<', page, re.S)[1].strip() == "0"
    assert 'data-step="verifikasi"' not in page

    october = sign_in(app, "pengawas1").get("/dasbor?period=2026-10").get_data(as_text=True)
    section = re.search(r'<section[^>]*data-section="complaints".*?</section>', october, re.S)[0]
    assert re.search(r'data-complaint-figure="received".*?class="figure-value[^"]*">([^<]+)<', section, re.S)[1] \
        .strip() == "1"
    assert "Diterima pada Oktober 2026" in section
