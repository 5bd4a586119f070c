"""Beban Kerja: open tasks per person and lane by state, the screen and its links, and lanes
that hand new tasks to their least loaded member. A fixed clock where states are counted."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support.catalog import upload_dataset
from support.flow import Flow
from support.people import html, sign_in

from app.core import users
from app.core.models import AuditEvent, User
from app.extensions import db
from app.supervision import workload
from app.workflow.models import HumanTask, LaneSetting, Notification

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Selasa, 24 November 2026 10.00 WIB
PROCESS = "penyebarluasan_data"
DESIGN_LANE = {"process": PROCESS, "lane": "Tim Desain"}


@pytest.fixture
def team(app, make_user):
    admin = make_user("admin1", "admin")
    for name, role in [("redaktur1", "redaktur"), ("redaktur2", "redaktur"), ("desain_b", "desain"),
                       ("desain_c", "desain"), ("desain_a", "desain"), ("desain_0", "desain"),
                       ("pengawas1", "pengawas")]:
        make_user(name, role)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "desain_0")).active = False
        db.session.commit()
    return {"dataset": upload_dataset(admin)["id"]}


def assignee_of(app, task_id):
    with app.app_context():
        return db.session.scalar(select(User.username).join(HumanTask, HumanTask.assignee_id == User.id)
                                 .where(HumanTask.id == task_id))


def test_a_lane_set_to_hand_out_gives_new_tasks_to_the_least_loaded_member(app, team):
    flow, admin = Flow(app), sign_in(app, "admin1")
    response = admin.post("/beban-kerja/lajur", data={**DESIGN_LANE, "auto_assign": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/beban-kerja"
    with app.app_context():
        assert db.session.scalar(select(LaneSetting.auto_assign).where(LaneSetting.lane == "Tim Desain")) is True
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lane.auto_assign"))
        assert event.user.username == "admin1"
        recorded = {**(event.detail or {}), **({"before": event.before} if event.before else {}),
                    **({"after": event.after} if event.after else {})}
        assert recorded["before"] == {"auto_assign": False} and recorded["after"] == {"auto_assign": True}

    minutes = iter(range(0, 600, 5))

    def ambil_data_of_new_instance(n):
        """Start an instance; the Redaktur chooses the data; the design lane's task is handed out."""
        instance_id = flow.start("redaktur1", f"Publikasi {n}", T0 + timedelta(minutes=next(minutes)))
        flow.complete("redaktur1", instance_id, "tentukan_data", {"dataset_id": team["dataset"]},
                      T0 + timedelta(minutes=next(minutes)))
        return instance_id, flow.task(instance_id, "ambil_data")

    # All idle: alphabetical among the active members (desain_0 is disabled).
    first, task = ambil_data_of_new_instance(1)
    assert assignee_of(app, task) == "desain_a"
    # Work stays with its person: the next step of the lane goes to desain_a, whose load is higher.
    flow.complete("desain_a", first, "ambil_data", {"data_terpilih": "x"}, T0 + timedelta(minutes=next(minutes)))
    assert assignee_of(app, flow.task(first, "desain")) == "desain_a"
    # Loads a 1, b 0, c 0 -> b; then c; then all 1 -> a; then a 2, b 1, c 1 -> b.
    handed = [assignee_of(app, ambil_data_of_new_instance(n)[1]) for n in range(2, 6)]
    assert handed == ["desain_b", "desain_c", "desain_a", "desain_b"]

    # The one who gets it is the only one told; the hand-out is in the audit trail.
    _, task = ambil_data_of_new_instance(6)
    assert assignee_of(app, task) == "desain_c"
    with app.app_context():
        told = db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                  .where(Notification.task_id == task)).all()
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.auto_assign",
                                                           AuditEvent.task_id == task))
    assert told == ["desain_c"]
    assert audit.detail["assignee"] == "desain_c" and audit.user_id is None

    # Turned off: new tasks wait for a claim, and the whole lane is told.
    assert admin.post("/beban-kerja/lajur", data=DESIGN_LANE).status_code == 302
    _, task = ambil_data_of_new_instance(7)
    assert assignee_of(app, task) is None
    with app.app_context():
        told = db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                  .where(Notification.task_id == task).order_by(User.username)).all()
        assert [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "lane.auto_assign"))] == ["lane.auto_assign"] * 2
    assert told == ["desain_a", "desain_b", "desain_c"]


def test_only_an_admin_sets_a_lane_and_only_a_known_one(app, team):
    turn_on = {**DESIGN_LANE, "auto_assign": "1"}
    assert sign_in(app, "pengawas1").post("/beban-kerja/lajur", data=turn_on).status_code == 403
    assert sign_in(app, "redaktur1").post("/beban-kerja/lajur", data=turn_on).status_code == 403
    response = sign_in(app, "admin1").post("/beban-kerja/lajur",
                                           data={"process": PROCESS, "lane": "Gudang", "auto_assign": "1"})
    assert response.status_code == 422 and "Lajur tidak dikenal." in html(response)
    with app.app_context():
        assert db.session.scalar(select(LaneSetting)) is None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lane.auto_assign")) is None


def open_tasks_at_three_moments(app, team):
    """Redaktur lane: one task ready Monday (held by redaktur2, then disabled), one ready Tuesday
    10.00 and one Tuesday 13.00 (both held by redaktur1)."""
    flow = Flow(app)
    old = flow.start("admin1", "Publikasi Senin", T0 - timedelta(days=1))
    mid = flow.start("admin1", "Publikasi Selasa pagi", T0)
    new = flow.start("admin1", "Publikasi Selasa siang", T0 + timedelta(hours=3))
    flow.claim("redaktur2", flow.task(old, "tentukan_data"))
    flow.claim("redaktur1", flow.task(mid, "tentukan_data"))
    flow.claim("redaktur1", flow.task(new, "tentukan_data"))
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "redaktur2")).active = False
        db.session.commit()
    return old, mid, new


def reader():
    """Who reads the workload in these tests: a Redaktur."""
    return users.get_by_username("redaktur1")


def counts(lane):
    return {(row.user.username if row.user else None): row.counts for row in lane.rows}


def test_the_overview_counts_open_tasks_by_state_at_a_moment(app, team):
    open_tasks_at_three_moments(app, team)
    wednesday_9 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Rabu 09.00 WIB
    with app.app_context():
        every = workload.overview(reader(), wednesday_9)
        lanes = {lane.name: lane for lane in every if lane.process_id == "penyebarluasan_data"}
    assert list(lanes) == ["Redaktur", "Tim Desain"]
    # The complaint process's lanes are listed too, idle here.
    assert [(lane.name, lane.total) for lane in every if lane.process_id == "penanganan_pengaduan"] == [
        ("Petugas Pengaduan", 0), ("Redaktur", 0)]
    assert counts(lanes["Redaktur"]) == {
        "redaktur1": {"on_time": 1, "near_due": 1, "overdue": 0},
        # Disabled, but still holding a task: shown, so that it can be handed on.
        "redaktur2": {"on_time": 0, "near_due": 0, "overdue": 1},
        None: {"on_time": 0, "near_due": 0, "overdue": 0},
    }
    assert counts(lanes["Tim Desain"]) == {
        name: {"on_time": 0, "near_due": 0, "overdue": 0} for name in ("desain_a", "desain_b", "desain_c", None)}
    assert lanes["Redaktur"].total == 3 and lanes["Tim Desain"].auto_assign is False

    # Rabu 13.01 WIB: the Tuesday tasks are both past due.
    with app.app_context():
        later = {lane.name: lane for lane in workload.overview(reader(), datetime(2026, 11, 25, 6, 1, tzinfo=UTC))
                 if lane.process_id == "penyebarluasan_data"}
    assert counts(later["Redaktur"])["redaktur1"] == {"on_time": 0, "near_due": 0, "overdue": 2}


def test_the_screen_for_the_redaktur_pengawas_and_admin_with_links_to_the_tasks(app, team):
    old, mid, new = open_tasks_at_three_moments(app, team)
    assert sign_in(app, "desain_a").get("/beban-kerja").status_code == 403
    listing = sign_in(app, "desain_a").get("/beban-kerja/tugas?process=penyebarluasan_data&lane=Redaktur")
    assert listing.status_code == 403
    assert app.test_client().get("/beban-kerja").status_code == 302

    page = html(sign_in(app, "pengawas1").get("/beban-kerja"))
    assert 'href="/beban-kerja"' in page  # in the navigation
    assert 'name="auto_assign"' not in page and 'data-auto-assign="false"' in page
    redaktur_lane = re.search(r'<section class="card mb-4" data-process="penyebarluasan_data" data-lane="Redaktur"'
                              r'.*?</section>', page, re.S)[0]
    row = re.search(r'<tr data-person="redaktur1">.*?</tr>', redaktur_lane, re.S)[0]
    cells = dict(re.findall(r'data-state="(\w+)">\s*(?:<[^>]+>)?(\d+)', row))
    assert int(cells["total"]) == 2 and sum(int(cells[s]) for s in workload.STATES) == 2
    assert "Nonaktif" in re.search(r'<tr data-person="redaktur2">.*?</tr>', redaktur_lane, re.S)[0]

    link = re.search(r'href="(/beban-kerja/tugas\?[^"]*user=redaktur1[^"]*)"', row)[1].replace("&amp;", "&")
    listing = html(sign_in(app, "pengawas1").get(link))
    shown = set(re.findall(r'<tr data-task="([0-9a-f-]{36})"', listing))
    flow = Flow(app)
    held = {flow.task(mid, "tentukan_data"), flow.task(new, "tentukan_data")}
    assert shown <= held and shown  # the figure's own tasks only
    for task_id in shown:
        assert f'href="/tugas/{task_id}"' in listing
    total_link = re.search(r'data-state="total">\s*<a href="([^"]+)"', row)[1].replace("&amp;", "&")
    assert set(re.findall(r'<tr data-task="([0-9a-f-]{36})"', html(sign_in(app, "pengawas1").get(total_link)))) == held

    # The Redaktur works the same runs as Tim Desain, so a design task opens for them too (to read).
    instance_id = flow.start("redaktur1", "Publikasi desain", T0)
    flow.complete("redaktur1", instance_id, "tentukan_data", {"dataset_id": team["dataset"]}, T0)
    listing = html(sign_in(app, "redaktur1")
                   .get("/beban-kerja/tugas?process=penyebarluasan_data&lane=Tim+Desain&user=-"))
    assert f'href="/tugas/{flow.task(instance_id, "ambil_data")}"' in listing

    admin_page = html(sign_in(app, "admin1").get("/beban-kerja"))
    assert admin_page.count('name="auto_assign"') == 4  # a switch per lane of both processes
    assert "Bagikan otomatis ke anggota dengan beban paling sedikit" in admin_page


def test_the_states_on_the_task_list_agree_with_the_counts(app, team):
    open_tasks_at_three_moments(app, team)
    with app.app_context():
        # At Rabu 09.00 WIB in SQL and in Python (workflow.timeliness) alike.
        moment = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
        for state, expected in (("on_time", 1), ("near_due", 1), ("overdue", 0)):
            rows, total = workload.task_page(reader(), moment, 1, 20, process_id=PROCESS, lane="Redaktur",
                                             username="redaktur1", state=state)
            assert total == expected == len(rows)
        rows, total = workload.task_page(reader(), moment, 1, 20, process_id=PROCESS, lane="Redaktur",
                                         username="redaktur2", state=None)
        assert total == 1 and rows[0].instance.title == "Publikasi Senin"
