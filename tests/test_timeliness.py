"""States of a task and an instance on a fixed clock: on time, near due (less than 2 service
hours left), overdue — across a weekend, a national holiday, cuti bersama and a period of
special service hours added through the admin screen; the same states as SQL filters and in
the API."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from support.people import PASSWORD, sign_in

from app.core import users
from app.core.models import SpecialPeriod, User, utcnow
from app.core.workcal import WIB
from app.extensions import db
from app.workflow import deadlines, inbox, instances
from app.workflow.models import HumanTask, Instance

PROCESS = "penyebarluasan_data"
STATES = ("on_time", "near_due", "overdue")


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def ready_at(moment, title="Uji ketepatan waktu", username="redaktur1"):
    """Start an instance on a fixed clock; its first task becomes ready at that moment."""
    user = db.session.query(User).filter_by(username=username).one_or_none() \
        or users.create_user(username, ["redaktur"], PASSWORD)
    instance = instances.start(PROCESS, title, user, now=moment)
    db.session.commit()
    [task] = instance.tasks
    return task.id, instance.id


def assert_state(task_id, moment, expected):
    """timeliness() says expected at moment, and so do the SQL filters of the inbox and of the
    instance list: the task is found under its state and under no other."""
    task = db.session.get(HumanTask, task_id)
    assert deadlines.timeliness(task.due_at, task.near_due_at, task.completed_at, moment) == expected, moment
    user = db.session.query(User).filter_by(username="redaktur1").one()
    for state in STATES:
        rows, _ = inbox.task_page(user, "lane", 1, 100, timeliness=state, now=moment)
        assert (task_id in {t.id for t in rows}) == (state == expected), (moment, state)


def assert_instance_state(instance_id, moment, expected):
    instance = db.session.get(Instance, instance_id)
    assert deadlines.timeliness(instance.due_at, instance.near_due_at, instance.completed_at, moment) == expected
    starter = db.session.get(User, instance.started_by_id)
    for state in STATES:
        rows, _ = instances.instance_page(starter, 1, 100, timeliness=state, now=moment)
        assert (instance_id in {i.id for i in rows}) == (state == expected), (moment, state)


def test_across_a_weekend(app):
    with app.app_context():
        # Friday 20 November 2026, 13:45 WIB: 15 minutes of Friday's service hours remain.
        task_id, _ = ready_at(wib(2026, 11, 20, 13, 45))
        task = db.session.get(HumanTask, task_id)
        # 0.25 h on Friday, 4 h on Monday morning, 1.75 h after the break.
        assert task.due_at == wib(2026, 11, 23, 14, 45)
        assert task.near_due_at == wib(2026, 11, 23, 11, 45)
        assert_state(task_id, wib(2026, 11, 20, 13, 50), "on_time")
        assert_state(task_id, wib(2026, 11, 22, 18, 0), "on_time")       # Sunday: the clock stands
        assert_state(task_id, wib(2026, 11, 23, 11, 44), "on_time")
        assert_state(task_id, wib(2026, 11, 23, 12, 0), "near_due")      # 1.75 h left
        assert_state(task_id, wib(2026, 11, 23, 14, 45), "near_due")     # the due moment itself
        assert_state(task_id, wib(2026, 11, 23, 14, 46), "overdue")
        assert_state(task_id, wib(2026, 11, 30, 9, 0), "overdue")


def test_across_a_national_holiday(app):
    with app.app_context():
        # Friday 14 August 2026, 13:45; Monday the 17th is Hari Kemerdekaan.
        task_id, instance_id = ready_at(wib(2026, 8, 14, 13, 45))
        task = db.session.get(HumanTask, task_id)
        assert task.due_at == wib(2026, 8, 18, 14, 45)
        assert task.near_due_at == wib(2026, 8, 18, 11, 45)
        # On an ordinary Monday this would be near due; on the holiday the clock stands.
        assert_state(task_id, wib(2026, 8, 17, 12, 0), "on_time")
        assert_state(task_id, wib(2026, 8, 17, 15, 0), "on_time")
        assert_state(task_id, wib(2026, 8, 18, 11, 44), "on_time")
        assert_state(task_id, wib(2026, 8, 18, 12, 0), "near_due")
        assert_state(task_id, wib(2026, 8, 18, 14, 46), "overdue")
        # The whole service (7 hari kerja) is on time while its first step is late.
        assert_instance_state(instance_id, wib(2026, 8, 18, 14, 46), "on_time")


def test_across_cuti_bersama(app):
    with app.app_context():
        # Wednesday 23 December 2026, 13:45: 1.25 h of Wednesday remain; the 24th is cuti
        # bersama, the 25th Christmas, then the weekend.
        task_id, _ = ready_at(wib(2026, 12, 23, 13, 45))
        task = db.session.get(HumanTask, task_id)
        assert task.due_at == wib(2026, 12, 28, 13, 45)
        assert task.near_due_at == wib(2026, 12, 28, 10, 45)
        # Were the 24th a working day, the task would be overdue by this afternoon.
        assert_state(task_id, wib(2026, 12, 24, 14, 0), "on_time")
        assert_state(task_id, wib(2026, 12, 28, 10, 44), "on_time")
        assert_state(task_id, wib(2026, 12, 28, 10, 45), "near_due")
        assert_state(task_id, wib(2026, 12, 28, 13, 46), "overdue")


def test_a_finished_task_is_judged_at_its_finish(app):
    with app.app_context():
        task_id, _ = ready_at(wib(2026, 11, 20, 13, 45))
        task = db.session.get(HumanTask, task_id)
        late = wib(2026, 11, 23, 14, 46)
        assert deadlines.timeliness(task.due_at, task.near_due_at, wib(2026, 11, 23, 12), late) == "on_time"
        assert deadlines.timeliness(task.due_at, task.near_due_at, late, wib(2027, 1, 4, 9)) == "overdue"


def test_a_special_hours_period_added_on_the_screen_moves_open_due_times(app, make_user):
    make_user("admin1", "admin")
    with app.app_context():
        task_id, instance_id = ready_at(wib(2026, 11, 20, 13, 45))
        task = db.session.get(HumanTask, task_id)
        assert task.due_at == wib(2026, 11, 23, 14, 45)
        assert db.session.get(Instance, instance_id).due_at == wib(2026, 12, 2, 9, 45)
    admin = sign_in(app, "admin1")
    form = {"start": "2026-11-23", "end": "2026-11-27", "note": "Jam layanan singkat",
            **{f"windows_{d}": "08.00-12.00" for d in range(5)}, "windows_5": "", "windows_6": ""}
    response = admin.post("/admin/kalender/jam-khusus", data=form)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"untuk 1 tugas terbuka dan 1 proses berjalan; 2 tenggat berubah", page)
    assert "Jam layanan singkat" in page
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        # 0.25 h on Friday, then 4 h a day: Monday 08:00–12:00, Tuesday 08:00–09:45.
        assert task.due_at == wib(2026, 11, 24, 9, 45)
        assert task.near_due_at == wib(2026, 11, 23, 11, 45)
        # The service: 0.25 + 5 × 4 h in the special week, then 6 h a day; Thursday 11:45.
        instance = db.session.get(Instance, instance_id)
        assert instance.due_at == wib(2026, 12, 3, 11, 45)
        assert_state(task_id, wib(2026, 11, 23, 11, 44), "on_time")
        assert_state(task_id, wib(2026, 11, 23, 14, 0), "near_due")      # afternoons closed
        assert_state(task_id, wib(2026, 11, 24, 9, 30), "near_due")
        assert_state(task_id, wib(2026, 11, 24, 9, 46), "overdue")
        period_id = db.session.scalars(select(SpecialPeriod.id)).one()
    # Removing the period gives the ordinary hours back.
    assert admin.post(f"/admin/kalender/jam-khusus/{period_id}/hapus").status_code == 302
    with app.app_context():
        assert db.session.get(HumanTask, task_id).due_at == wib(2026, 11, 23, 14, 45)
        assert db.session.get(Instance, instance_id).due_at == wib(2026, 12, 2, 9, 45)


def test_a_closed_day_added_on_the_screen_moves_an_open_due_time_but_not_a_finished_one(app, make_user):
    make_user("admin1", "admin")
    with app.app_context():
        task_id, _ = ready_at(wib(2026, 11, 20, 13, 45))
        done_id, done_instance = ready_at(wib(2026, 11, 20, 13, 45), title="Sudah lewat langkah pertama")
        task = db.session.get(HumanTask, done_id)
        task.completed_at = wib(2026, 11, 23, 9)  # a finished step keeps the due time it had
        db.session.commit()
    admin = sign_in(app, "admin1")
    response = admin.post("/admin/kalender/libur", data={"day": "2026-11-23", "note": "Hari Jadi Kabupaten"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(HumanTask, task_id).due_at == wib(2026, 11, 24, 14, 45)
        assert db.session.get(HumanTask, done_id).due_at == wib(2026, 11, 23, 14, 45)
        assert_state(task_id, wib(2026, 11, 23, 14, 46), "on_time")


def _start_with_elapsed(cal, now, hours):
    """A start moment from which exactly `hours` service hours have passed by now."""
    low, high = now - timedelta(days=60), now
    for _ in range(60):
        middle = low + (high - low) / 2
        if cal.service_hours_between(middle, now) > hours:
            low = middle
        else:
            high = middle
    return high


def test_the_api_filters_tasks_by_timeliness(app, make_user):
    redaktur = make_user("redaktur1", "redaktur")
    with app.app_context():
        now = utcnow()
        cal = deadlines.calendar()
        made = {
            "overdue": [ready_at(now - timedelta(days=30), "Lama sekali")[0],
                        ready_at(now - timedelta(days=60), "Lebih lama lagi")[0]],
            # Five of six service hours gone: less than two left, not yet past due.
            "near_due": [ready_at(_start_with_elapsed(cal, now, 5), "Hampir")[0]],
            "on_time": [ready_at(now, "Baru saja")[0]],
        }
    for state, expected in made.items():
        response = redaktur.get(f"/tasks?scope=mine&per_page=100&timeliness={state}")
        assert response.status_code == 200, response.get_json()
        items = response.get_json()["items"]
        assert {t["id"] for t in items} == set(expected), state
        assert {t["timeliness"] for t in items} == {state}
    everything = redaktur.get("/tasks?scope=mine&per_page=100").get_json()["items"]
    assert len(everything) == 4
    refused = redaktur.get("/tasks?timeliness=late")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_request"


def test_the_openapi_document_names_the_filter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/tasks"]["get"]["parameters"]}
    assert params["timeliness"]["schema"]["enum"] == list(STATES)


@pytest.fixture
def late_and_fresh(app, make_user):
    make_user("redaktur1", "redaktur")
    make_user("pengawas1", "pengawas")
    with app.app_context():
        late, late_instance = ready_at(utcnow() - timedelta(days=30), "Infografis terlambat")
        fresh, fresh_instance = ready_at(utcnow(), "Infografis baru")
    return {"late": late, "fresh": fresh, "late_instance": late_instance, "fresh_instance": fresh_instance}


def _badges(html):
    return re.findall(r'<span class="badge [^"]*" data-state="(\w+)">([^<]*)</span>', html)


def test_the_inbox_shows_and_filters_the_state(app, late_and_fresh):
    redaktur = sign_in(app, "redaktur1")
    page = redaktur.get("/tugas").get_data(as_text=True)
    rows = dict(re.findall(r'<tr class="[^"]*" data-task="([0-9a-f-]{36})">(.*?)</tr>', page, re.S))
    assert _badges(rows[late_and_fresh["late"]]) == [("overdue", "Terlambat")]
    assert _badges(rows[late_and_fresh["fresh"]]) == [("on_time", "Tepat waktu")]
    overdue = redaktur.get("/tugas?timeliness=overdue").get_data(as_text=True)
    assert late_and_fresh["late"] in overdue and late_and_fresh["fresh"] not in overdue
    assert '<option value="overdue" selected>' in overdue
    on_time = redaktur.get("/tugas?timeliness=on_time").get_data(as_text=True)
    assert late_and_fresh["fresh"] in on_time and late_and_fresh["late"] not in on_time
    # The older link keeps working.
    legacy = redaktur.get("/tugas?overdue=1").get_data(as_text=True)
    assert late_and_fresh["late"] in legacy and late_and_fresh["fresh"] not in legacy
    # An unknown value shows everything.
    unknown = redaktur.get("/tugas?timeliness=kemarin").get_data(as_text=True)
    assert late_and_fresh["late"] in unknown and late_and_fresh["fresh"] in unknown


def test_the_instance_list_and_pages_show_the_state(app, late_and_fresh):
    pengawas = sign_in(app, "pengawas1")
    listing = pengawas.get("/proses?timeliness=overdue").get_data(as_text=True)
    assert "Infografis terlambat" in listing and "Infografis baru" not in listing
    listing = pengawas.get("/proses?timeliness=on_time").get_data(as_text=True)
    assert "Infografis baru" in listing and "Infografis terlambat" not in listing
    assert "Infografis terlambat" in pengawas.get("/proses?overdue=1").get_data(as_text=True)
    everything = pengawas.get("/proses").get_data(as_text=True)
    late_row = re.search(rf'<tr data-instance="{late_and_fresh["late_instance"]}">(.*?)</tr>', everything, re.S)[1]
    # The instance (7 hari kerja) and its first step (1 hari kerja) are both late after 30 days.
    assert [state for state, _ in _badges(late_row)] == ["overdue", "overdue"]

    page = pengawas.get(f"/proses/{late_and_fresh['late_instance']}").get_data(as_text=True)
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert _badges(header) == [("overdue", "Terlambat")]
    timeline = re.search(rf'<td data-task="{late_and_fresh["late"]}">(.*?)</td>', page, re.S)[1]
    assert _badges(timeline) == [("overdue", "Terlambat")]
    page = pengawas.get(f"/proses/{late_and_fresh['fresh_instance']}").get_data(as_text=True)
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert _badges(header) == [("on_time", "Tepat waktu")]


def test_the_task_page_shows_the_state(app, late_and_fresh):
    redaktur = sign_in(app, "redaktur1")
    late = redaktur.get(f"/tugas/{late_and_fresh['late']}").get_data(as_text=True)
    header = late.split("<header", 1)[1].split("</header>", 1)[0]
    assert _badges(header) == [("overdue", "Terlambat")]
    fresh = redaktur.get(f"/tugas/{late_and_fresh['fresh']}").get_data(as_text=True)
    header = fresh.split("<header", 1)[1].split("</header>", 1)[0]
    assert _badges(header) == [("on_time", "Tepat waktu")]


def test_a_near_due_task_shows_as_near_due(app, make_user):
    make_user("redaktur1", "redaktur")
    with app.app_context():
        now = utcnow()
        task_id, _ = ready_at(_start_with_elapsed(deadlines.calendar(), now, 5), "Hampir jatuh tempo")
    redaktur = sign_in(app, "redaktur1")
    page = redaktur.get("/tugas").get_data(as_text=True)
    row = re.search(rf'<tr class="table-warning" data-task="{task_id}">(.*?)</tr>', page, re.S)
    assert row and _badges(row[1]) == [("near_due", "Hampir jatuh tempo")]
    assert task_id in redaktur.get("/tugas?timeliness=near_due").get_data(as_text=True)
    assert task_id not in redaktur.get("/tugas?timeliness=on_time").get_data(as_text=True)
