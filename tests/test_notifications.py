"""In-app notices: who is told when a task becomes ready or comes back for revision, in what
words, and the bell (list, unread count, marking read) through HTTP. A fixed clock throughout."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support.catalog import upload_dataset
from support.flow import Flow
from support.people import html, sign_in
from support.sop import upload_design
from support.variants import without_declared_decisions

from app.core.models import User
from app.extensions import db
from app.workflow import notices as notifications
from app.workflow.models import HumanTask, Notification, ProcessVersion

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Selasa, 24 November 2026 10.00 WIB


@pytest.fixture
def team(app, make_user):
    admin = make_user("admin1", "admin")
    for name, role in [("redaktur1", "redaktur"), ("redaktur2", "redaktur"), ("desain1", "desain"),
                       ("desain2", "desain"), ("desain3", "desain"), ("pengawas1", "pengawas")]:
        make_user(name, role)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "desain3")).active = False
        db.session.commit()
    dataset = upload_dataset(admin)
    return {"admin": admin, "dataset": dataset["id"], "design": upload_design(admin)}


def test_a_task_nobody_holds_is_announced_to_every_active_member_of_its_lane(app, team):
    flow = Flow(app)
    instance_id = flow.start("admin1", "Infografis penduduk Magetan 2025", T0)

    notices = flow.notices()
    assert [(user, kind, step) for user, kind, step, _ in notices] == [
        ("redaktur1", "ready", "tentukan_data"), ("redaktur2", "ready", "tentukan_data")]
    message = notices[0][3]
    assert '"Infografis penduduk Magetan 2025"' in message
    assert '"Menentukan data yang akan dipublikasikan"' in message
    # Due one hari kerja later, in WIB words.
    assert "Tenggat: Rabu, 25 November 2026 10.00 WIB" in message
    with app.app_context():
        notice = db.session.scalar(select(Notification).order_by(Notification.id))
        assert notice.instance_id == instance_id and notice.created_at == T0 and notice.read_at is None

    # The next lane's task is announced to its active members only (desain3 is disabled).
    flow.complete("redaktur2", instance_id, "tentukan_data", {"dataset_id": team["dataset"]}, T0 + timedelta(hours=1))
    assert [(u, k, s) for u, k, s, _ in flow.notices()[2:]] == [
        ("desain1", "ready", "ambil_data"), ("desain2", "ready", "ambil_data")]


def test_work_that_stays_with_its_person_tells_nobody_but_a_return_tells_the_designer(app, team):
    flow = Flow(app)
    minutes = iter(range(0, 120, 5))

    def at():
        return T0 + timedelta(minutes=next(minutes))

    # A Redaktur who starts takes the first step at once: nobody else is told, nor the starter.
    instance_id = flow.start("redaktur1", "Infografis sekolah", at())
    assert flow.notices() == []
    flow.complete("redaktur1", instance_id, "tentukan_data", {"dataset_id": team["dataset"]}, at())
    flow.claim("desain1", flow.task(instance_id, "ambil_data"))
    before = len(flow.notices())
    flow.complete("desain1", instance_id, "ambil_data", {"data_terpilih": "jumlah sekolah"}, at())
    flow.complete("desain1", instance_id, "desain", {"desain": team["design"]}, at())
    # desain and caption stayed with desain1, who did the step before them: no notice.
    assert len(flow.notices()) == before
    # desain1 hands the caption to desain2.
    caption = flow.task(instance_id, "caption")
    flow.release("desain1", caption)
    flow.claim("desain2", caption)
    flow.complete("desain2", instance_id, "caption", {"caption": "Sekolah di Magetan"}, at())
    # The review waits for the Redaktur lane: both editors are told.
    assert [(u, k, s) for u, k, s, _ in flow.notices()[-2:]] == [
        ("redaktur1", "ready", "periksa"), ("redaktur2", "ready", "periksa")]

    returned_at = T0 + timedelta(hours=2)
    count = len(flow.notices())
    flow.complete("redaktur2", instance_id, "periksa",
                  {"keputusan": "revisi", "catatan_revisi": "Perbesar judul dan cantumkan sumber."}, returned_at)
    revision = flow.notices()[count:]
    assert [(u, k, s) for u, k, s, _ in revision] == [("desain1", "revision", "desain")]
    text = revision[0][3]
    assert "Perbesar judul dan cantumkan sumber." in text
    assert '"Infografis sekolah"' in text and '"Mendesain bahan untuk publikasi"' in text
    assert "redaktur2" in text  # who sent it back (full name defaults to the username)
    # Due one hari kerja after the return (Selasa 12.00 WIB): Rabu 12.00 WIB.
    assert text.endswith("Tenggat: Rabu, 25 November 2026 12.00 WIB.")

    # The new design makes the caption ready again for desain2, who wrote it: an ordinary
    # "ready" notice (the caption was not sent back), from the designer's action.
    count = len(flow.notices())
    flow.complete("desain1", instance_id, "desain", {"desain": team["design"]}, returned_at + timedelta(minutes=30))
    assert [(u, k, s) for u, k, s, _ in flow.notices()[count:]] == [("desain2", "ready", "caption")]


def test_the_bell_counts_lists_links_and_marks_read(app, team):
    flow = Flow(app)
    first = flow.start("admin1", "Publikasi pertama", T0)
    flow.start("admin1", "Publikasi kedua", T0 + timedelta(minutes=5))
    browser = sign_in(app, "redaktur1")

    page = html(browser.get("/tugas"))
    bell = re.search(r'<a[^>]*id="bell"[^>]*>', page, re.S)[0]
    assert 'data-unread="2"' in bell
    assert 'aria-label="Pemberitahuan, 2 belum dibaca"' in bell
    assert 'href="/pemberitahuan"' in bell

    listing = html(browser.get("/pemberitahuan"))
    items = re.findall(r'<li class="list-group-item[^"]*" data-notification="(\d+)" data-kind="(\w+)" '
                       r'data-unread="(\w+)">(.*?)</li>', listing, re.S)
    assert [(kind, unread) for _, kind, unread, _ in items] == [("ready", "true"), ("ready", "true")]
    # Newest first.
    assert "Publikasi kedua" in items[0][3] and "Publikasi pertama" in items[1][3]
    newest, oldest = items[0][0], items[1][0]

    # Opening one marks it read and leads to its task.
    response = browser.post(f"/pemberitahuan/{oldest}/dibaca", data={"open": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tugas/{flow.task(first, 'tentukan_data')}"
    assert 'data-unread="1"' in html(browser.get("/tugas"))
    listing = html(browser.get("/pemberitahuan"))
    assert re.search(rf'data-notification="{oldest}" data-kind="ready" data-unread="false"', listing)
    assert re.search(rf'data-notification="{newest}" data-kind="ready" data-unread="true"', listing)

    # Someone else's notice cannot be touched.
    with app.app_context():
        other = db.session.scalar(select(Notification.id).join(User, Notification.user_id == User.id)
                                  .where(User.username == "redaktur2"))
    assert browser.post(f"/pemberitahuan/{other}/dibaca").status_code == 404

    response = browser.post("/pemberitahuan/dibaca-semua", data={"next": "/pemberitahuan"})
    assert response.status_code == 302 and response.headers["Location"] == "/pemberitahuan"
    page = html(browser.get("/pemberitahuan"))
    assert 'data-unread="true"' not in page and 'data-unread="0"' in page
    assert "1 pemberitahuan ditandai sudah dibaca." in page
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(Notification.id == int(other))) is None


def test_a_notice_about_another_lanes_task_opens_it_for_whoever_reads_the_run(app, team):
    flow = Flow(app)
    instance_id = flow.start("admin1", "Publikasi lintas lajur", T0)
    with app.app_context():
        task = db.session.get(HumanTask, flow.task(instance_id, "tentukan_data"))
        desain = db.session.scalar(select(User).where(User.username == "desain1"))
        notifications.due_notice(task, "overdue", T0)  # pengawas1 is among the overdue watchers
        db.session.add(Notification(user_id=desain.id, kind="overdue", instance_id=instance_id, task_id=task.id,
                                    message="uji", created_at=T0))
        db.session.commit()
    task_path = f'/tugas/{flow.task(instance_id, "tentukan_data")}'

    def opened(username):
        """Where opening the user's notice leads, and the link it shows once read."""
        browser = sign_in(app, username)
        with app.app_context():
            notice = db.session.scalar(select(Notification.id).join(User, Notification.user_id == User.id)
                                       .where(User.username == username))
        location = browser.post(f"/pemberitahuan/{notice}/dibaca", data={"open": "1"}).headers["Location"]
        item = re.search(rf'data-notification="{notice}".*?</li>', html(browser.get("/pemberitahuan")), re.S)[0]
        return location, re.search(r'<a class="btn[^"]*" href="([^"]+)"', item)[1]

    # The Pengawas oversees every task; a designer works the same run, so they may open (read)
    # the Redaktur's task as well.
    assert opened("pengawas1") == (task_path, task_path)
    assert opened("desain1") == (task_path, task_path)


def test_the_list_is_paginated_and_empty_says_what_comes(app_factory, make_user):
    app = app_factory(PER_PAGE=2)
    make_user("redaktur9", "redaktur")
    make_user("admin9", "admin")
    flow = Flow(app)
    empty = html(sign_in(app, "redaktur9").get("/pemberitahuan"))
    assert "Belum ada pemberitahuan." in empty
    for n in range(3):
        flow.start("admin9", f"Publikasi {n}", T0 + timedelta(minutes=n))
    browser = sign_in(app, "redaktur9")
    first, second = html(browser.get("/pemberitahuan")), html(browser.get("/pemberitahuan?page=2"))
    assert "Publikasi 2" in first and "Publikasi 1" in first and "Publikasi 0" not in first
    assert "Publikasi 0" in second and "Publikasi 2" not in second
    assert 'href="/pemberitahuan?page=2"' in first


def test_marking_read_needs_a_signed_in_user_and_a_csrf_token(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("redaktur1", "redaktur")
    make_user("admin1", "admin")
    Flow(app).start("admin1", "Publikasi", T0)
    assert app.test_client().get("/pemberitahuan").status_code == 302
    browser = sign_in(app, "redaktur1")
    with app.app_context():
        notice = db.session.scalar(select(Notification.id))
    assert browser.post(f"/pemberitahuan/{notice}/dibaca").status_code == 400
    assert browser.post("/pemberitahuan/dibaca-semua").status_code == 400
    page = html(browser.get("/pemberitahuan"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert browser.post(f"/pemberitahuan/{notice}/dibaca", data={"csrf_token": token}).status_code == 302
    assert 'data-unread="0"' in html(browser.get("/pemberitahuan"))


def test_a_version_deployed_before_steps_declared_their_decision_still_returns_work_with_notes(app, team):
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == "penyebarluasan_data"))
        xml = without_declared_decisions(version.bpmn_xml)
        version.bpmn_xml, version.sha256 = xml, hashlib.sha256(xml.encode()).hexdigest()
        db.session.commit()
    flow = Flow(app)
    instance_id = flow.start("redaktur1", "Infografis pasar", T0)
    flow.complete("redaktur1", instance_id, "tentukan_data", {"dataset_id": team["dataset"]}, T0)
    flow.complete("desain1", instance_id, "ambil_data", {"data_terpilih": "pasar"}, T0)
    flow.complete("desain1", instance_id, "desain", {"desain": team["design"]}, T0)
    flow.complete("desain1", instance_id, "caption", {"caption": "Pasar di Magetan"}, T0)
    count = len(flow.notices())
    flow.complete("redaktur1", instance_id, "periksa", {"keputusan": "revisi", "catatan_revisi": "Tambah sumber."},
                  T0 + timedelta(hours=1))
    [(user, kind, step, text)] = flow.notices()[count:]
    assert (user, kind, step) == ("desain1", "revision", "desain") and "Tambah sumber." in text
