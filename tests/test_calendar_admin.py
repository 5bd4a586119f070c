"""Kalender Kerja: the admin's closed days and special-hours periods through the screens —
admin only, validated beside the fields with what was typed kept, audited, seen by every
application process at once, and followed by the recomputation of open due times."""
from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select
from support.people import PASSWORD, sign_in

from app.core import calendar, users
from app.core.errors import Forbidden
from app.core.models import AuditEvent, ClosedDay, SpecialPeriod
from app.core.workcal import WIB
from app.extensions import db
from app.process_admin import calendar as calendar_admin
from app.workflow import deadlines, instances
from app.workflow.models import HumanTask


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def admin(app, make_user):
    make_user("admin1", "admin")
    return sign_in(app, "admin1")


@pytest.fixture
def open_task(app):
    """A task made ready on Friday 20 November 2026 at 13:45 WIB: due Monday 14:45."""
    with app.app_context():
        redaktur = users.create_user("redaktur1", ["redaktur"], PASSWORD)
        instance = instances.start("penyebarluasan_data", "Infografis", redaktur, now=wib(2026, 11, 20, 13, 45))
        db.session.commit()
        return instance.tasks[0].id


def due_of(app, task_id):
    with app.app_context():
        return db.session.get(HumanTask, task_id).due_at


def events(app, prefix="calendar."):
    with app.app_context():
        return [(e.action, e.before, e.after, e.detail, e.user.username if e.user else None)
                for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                            .order_by(AuditEvent.id))]


def test_admin_adds_a_closed_day_and_it_appears(app, admin, open_task):
    assert due_of(app, open_task) == wib(2026, 11, 23, 14, 45)
    response = admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Hari Jadi Kabupaten"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/kalender")
    page = html(admin.get("/admin/kalender"))
    assert "Hari libur tambahan Senin, 23 November 2026 disimpan." in page
    assert "Tenggat dihitung ulang untuk 1 tugas terbuka dan 1 proses berjalan; 2 tenggat berubah." in page
    row = re.search(r'<tr data-day="2026-11-23">(.*?)</tr>', page, re.S)
    assert row and "Senin, 23 November 2026" in row[1] and "Hari Jadi Kabupaten" in row[1]
    # Monday is closed now: the task's hours run on Tuesday.
    assert due_of(app, open_task) == wib(2026, 11, 24, 14, 45)
    with app.app_context():
        assert deadlines.calendar().closed_reason(date(2026, 11, 23)) == "Hari Jadi Kabupaten"
    [(action, before, after, detail, who)] = events(app)
    assert (action, before, who) == ("calendar.closed_day.add", None, "admin1")
    assert after["day"] == "2026-11-23" and after["note"] == "Hari Jadi Kabupaten"
    assert detail["recomputed_tasks"] == 1 and detail["recomputed_changed"] == 2


def test_removing_a_closed_day_gives_the_hours_back(app, admin, open_task):
    admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Hari Jadi Kabupaten"})
    with app.app_context():
        day_id = db.session.scalars(select(ClosedDay.id)).one()
    response = admin.post(f"/admin/kalender/libur/{day_id}/hapus")
    assert response.status_code == 302
    page = html(admin.get(response.headers["Location"]))
    assert "Hari libur tambahan Senin, 23 November 2026 dihapus." in page
    assert 'data-day="2026-11-23"' not in page
    assert due_of(app, open_task) == wib(2026, 11, 23, 14, 45)
    with app.app_context():
        assert db.session.scalars(select(ClosedDay)).all() == []
    removed = events(app)[-1]
    assert removed[0] == "calendar.closed_day.remove"
    assert removed[1]["day"] == "2026-11-23" and removed[1]["note"] == "Hari Jadi Kabupaten" and removed[2] is None
    # Gone already: 404, nothing recorded.
    assert admin.post(f"/admin/kalender/libur/{day_id}/hapus").status_code == 404
    assert len(events(app)) == 2


def test_others_may_not_change_the_calendar(app, make_user, client):
    for name, role in (("redaktur1", "redaktur"), ("pengawas1", "pengawas"), ("desain1", "desain")):
        make_user(name, role)
        person = sign_in(app, name)
        assert person.get("/admin/kalender").status_code == 403
        assert person.get("/admin/kalender/jam-khusus").status_code == 403
        refused = person.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Libur"})
        assert refused.status_code == 403
        assert "Kalender Kerja" not in html(person.get("/tugas"))
    anonymous = client.get("/admin/kalender")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(ClosedDay)).all() == []
    assert events(app) == []


def test_the_admin_finds_the_calendar_in_the_navigation(admin):
    page = html(admin.get("/tugas"))
    assert re.search(r'href="/admin/kalender">Kalender Kerja</a>', page)


def test_a_wrong_closed_day_is_refused_beside_its_fields(app, admin):
    refused = admin.post("/admin/kalender/libur", data={"day": "23-11-2026", "note": "  "})
    assert refused.status_code == 422
    page = html(refused)
    assert re.search(r'id="day-error">tanggal tidak valid', page)
    assert re.search(r'id="note-error">wajib diisi', page)
    assert 'value="23-11-2026"' in page
    admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Hari Jadi"})
    again = admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Kerja bakti"})
    assert again.status_code == 422
    page = html(again)
    assert re.search(r'id="day-error">tanggal ini sudah terdaftar', page) and 'value="Kerja bakti"' in page
    with app.app_context():
        assert [(d.day, d.note) for d in db.session.scalars(select(ClosedDay))] == [(date(2026, 11, 23), "Hari Jadi")]
    assert [e[0] for e in events(app)] == ["calendar.closed_day.add"]


def test_the_period_form_starts_from_the_ordinary_hours(admin):
    page = html(admin.get("/admin/kalender/jam-khusus"))
    assert 'id="windows_0" name="windows_0"\n                     value="08.00-12.00, 13.00-15.00"' in page
    assert 'value="08.00-11.30, 13.30-14.00"' in page
    assert "Belum ada periode jam layanan khusus" in page


def test_a_wrong_period_is_refused_beside_its_fields_keeping_what_was_typed(app, admin, open_task):
    form = {"start": "2027-03-10", "end": "2027-03-01", "note": "Ramadan",
            "windows_0": "08.00-12.00, 11.00-13.00", "windows_1": "8 pagi", "windows_2": "12.00-08.00",
            "windows_3": "07.30-25.00", "windows_4": "07.30-11.00", "windows_5": "", "windows_6": "tutup"}
    refused = admin.post("/admin/kalender/jam-khusus", data=form)
    assert refused.status_code == 422
    page = html(refused)
    errors = dict(re.findall(r'id="(\w+)-error">([^<]*)<', page))
    assert errors["end"] == "tanggal selesai tidak boleh sebelum tanggal mulai"
    assert "bertumpang tindih" in errors["windows_0"]
    assert "bukan rentang jam" in errors["windows_1"]
    assert "jam mulai harus sebelum jam selesai" in errors["windows_2"]
    assert "jam tidak valid" in errors["windows_3"]
    assert "windows_4" not in errors and "windows_6" not in errors
    for name in ("start", "end", "windows_1", "windows_2", "windows_4"):
        assert f'value="{form[name]}"' in page, name
    assert 'value="08.00-12.00, 11.00-13.00"' in page
    with app.app_context():
        assert db.session.scalars(select(SpecialPeriod)).all() == []
    assert events(app) == []
    assert due_of(app, open_task) == wib(2026, 11, 23, 14, 45)

    empty = admin.post("/admin/kalender/jam-khusus", data={"start": "", "end": "", "note": ""})
    errors = dict(re.findall(r'id="(\w+)-error">([^<]*)<', html(empty)))
    assert errors["start"] == "wajib diisi" and errors["end"] == "wajib diisi" and errors["note"] == "wajib diisi"
    assert "sedikitnya satu hari" in errors["windows"]


def test_periods_may_not_overlap(app, admin):
    form = {"start": "2027-02-08", "end": "2027-03-09", "note": "Ramadan 1448 H",
            **{f"windows_{d}": "08.00-12.00, 12.30-14.00" for d in range(4)}, "windows_4": "08.00-11.00"}
    assert admin.post("/admin/kalender/jam-khusus", data=form).status_code == 302
    overlapping = admin.post("/admin/kalender/jam-khusus", data={**form, "start": "2027-03-09", "end": "2027-03-12",
                                                                  "note": "Lain"})
    assert overlapping.status_code == 422
    assert re.search(r'id="start-error">bertumpang tindih dengan periode 2027-02-08', html(overlapping))
    page = html(admin.get("/admin/kalender/jam-khusus"))
    card = re.search(r'<article class="card mb-3" data-period="2027-02-08">(.*?)</article>', page, re.S)[1]
    assert "Ramadan 1448 H" in card and "08.00-12.00, 12.30-14.00" in card and "08.00-11.00" in card
    with app.app_context():
        [period] = db.session.scalars(select(SpecialPeriod)).all()
        assert period.windows == {**{str(d): [["08:00", "12:00"], ["12:30", "14:00"]] for d in range(4)},
                                  "4": [["08:00", "11:00"]]}
        assert deadlines.calendar().windows(date(2027, 2, 12)) == ((time(8), time(11)),)  # a Friday
        assert deadlines.calendar().windows(date(2027, 3, 17)) == ((time(8), time(12)), (time(13), time(15)))
    [(action, before, after, detail, who)] = events(app)
    assert action == "calendar.special_period.add" and before is None and who == "admin1"
    assert after["start"] == "2027-02-08" and after["end"] == "2027-03-09" and after["note"] == "Ramadan 1448 H"
    assert after["windows"]["4"] == [["08:00", "11:00"]]


def test_removing_a_period_is_audited(app, admin):
    form = {"start": "2027-02-08", "end": "2027-02-12", "note": "Pendek",
            **{f"windows_{d}": "08.00-12.00" for d in range(5)}}
    admin.post("/admin/kalender/jam-khusus", data=form)
    with app.app_context():
        period_id = db.session.scalars(select(SpecialPeriod.id)).one()
    response = admin.post(f"/admin/kalender/jam-khusus/{period_id}/hapus")
    assert response.status_code == 302
    assert "Periode jam layanan khusus Senin, 8 Februari 2027 sampai Jumat, 12 Februari 2027 dihapus." \
        in html(admin.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalars(select(SpecialPeriod)).all() == []
        assert deadlines.calendar().windows(date(2027, 2, 8)) == ((time(8), time(12)), (time(13), time(15)))
    action, before, after, _, _ = events(app)[-1]
    assert action == "calendar.special_period.remove" and after is None
    assert before["start"] == "2027-02-08" and before["windows"]["0"] == [["08:00", "12:00"]]


def test_a_change_made_by_one_process_is_seen_by_another(app_factory, app, admin):
    other = app_factory()  # another application over the same database, as a second worker
    with other.app_context():
        assert deadlines.calendar().is_open(date(2026, 11, 23))
    admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Hari Jadi"})
    with other.app_context():
        assert not deadlines.calendar().is_open(date(2026, 11, 23))
        assert deadlines.calendar().closed_reason(date(2026, 11, 23)) == "Hari Jadi"
    with app.app_context():
        day_id = db.session.scalars(select(ClosedDay.id)).one()
    admin.post(f"/admin/kalender/libur/{day_id}/hapus")
    with other.app_context():
        assert deadlines.calendar().is_open(date(2026, 11, 23))


def test_the_reference_list_names_the_national_holidays(admin):
    page = re.sub(r"<[^>]+>", "", html(admin.get("/admin/kalender?tahun=2026")))
    assert "Senin, 17 Agustus 2026 — Hari Kemerdekaan Republik Indonesia" in page
    assert "Kamis, 24 Desember 2026 — Cuti Bersama Hari Raya Natal" in page
    assert "2025 — " not in page


def test_window_text_parsing():
    assert calendar.parse_windows(" 07.30-12.00 , 13:00 – 14:00 ") == [(time(7, 30), time(12)), (time(13), time(14))]
    assert calendar.parse_windows("13.00-14.00, 07.30-12.00") == [(time(7, 30), time(12)), (time(13), time(14))]
    assert calendar.parse_windows("") == [] and calendar.parse_windows("Tutup") == []
    assert calendar.parse_windows("08.00-12.00, 12.00-13.00") == [(time(8), time(12)), (time(12), time(13))]
    for wrong in ("08.00", "08.00-12.00,", "24.00-25.00", "08.60-09.00", "10.00-10.00", "08.00-12.00, 11.59-13.00"):
        with pytest.raises(ValueError):
            calendar.parse_windows(wrong)
    assert calendar.windows_text([["07:30", "12:00"], ["13:00", "14:00"]]) == "07.30-12.00, 13.00-14.00"


def test_only_an_admin_may_change_the_calendar_through_the_service(app):
    with app.app_context():
        redaktur = users.create_user("redaktur1", ["redaktur"], PASSWORD)
        with pytest.raises(Forbidden):
            calendar_admin.add_closed_day({"day": "2026-11-23", "note": "x"}, redaktur)
        with pytest.raises(Forbidden):
            calendar_admin.add_special_period({}, redaktur)
        assert db.session.scalars(select(ClosedDay)).all() == []
