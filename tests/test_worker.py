"""The background worker with a fixed clock: near-due and overdue notices to the right people,
each exactly once also with two workers at the same moment (two threads, two processes), and
e-mail delivered to a real SMTP server that the test starts."""
from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update
from support.catalog import upload_dataset
from support.servers import free_port
from support.sop import PROCESS

from app import worker
from app.core import outbox
from app.core.models import OutboxMessage, User
from app.core.workcal import format_wib
from app.extensions import db
from app.workflow import instances, tasks
from app.workflow.models import HumanTask, Notification, TaskNotice

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Selasa, 24 November 2026 10.00 WIB
INSTANCES = 6
EMAILS = {"redaktur1": "redaktur1@magetan.example", "pengawas1": "pengawas1@magetan.example",
          "desain1": "desain1@magetan.example"}


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def by_recipient(self) -> Counter:
        return Counter((rcpt[0], msg["Subject"]) for _, rcpt, msg in self.messages)




@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def mail_settings(port):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "MAIL_FROM": "Satu Data Magetan <noreply@magetan.example>",
            "PUBLIC_BASE_URL": "https://data.magetan.example/"}


def make_team(app, make_user):
    admin = make_user("admin1", "admin")
    for name, role in [("redaktur1", "redaktur"), ("redaktur2", "redaktur"), ("desain1", "desain"),
                       ("pengawas1", "pengawas")]:
        make_user(name, role)
    with app.app_context():
        for name, address in EMAILS.items():
            db.session.scalar(select(User).where(User.username == name)).email = address
        db.session.commit()
    return admin


def start_instances(app, count=INSTANCES, at=T0):
    """Instances started by the Admin (no Redaktur role): their first task waits unclaimed."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin1"))
        ids = [instances.start(PROCESS, f"Publikasi {n}", admin, now=at).id for n in range(count)]
        db.session.commit()
        tasks = db.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids))
                                   .order_by(HumanTask.instance_id)).all()
        return [(t.id, t.instance_id, t.near_due_at, t.due_at) for t in tasks]


def notices(app, kind=None):
    with app.app_context():
        query = (select(User.username, Notification.kind, Notification.task_id)
                 .join(User, Notification.user_id == User.id))
        if kind:
            query = query.where(Notification.kind == kind)
        return Counter(tuple(row) for row in db.session.execute(query))


def in_two_threads(app, now):
    barrier = threading.Barrier(2)
    summaries, errors = [], []

    def run():
        barrier.wait()
        try:
            summaries.append(worker.run_once(app, now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(summaries) == 2
    return summaries


def total(summaries, key):
    return sum(s[key] for s in summaries)


def test_the_moments_are_those_of_the_service_clock(app, make_user):
    make_team(app, make_user)
    (_, _, near_due_at, due_at), = start_instances(app, 1)
    # Ready Selasa 10.00 WIB, 1 hari kerja: due Rabu 10.00 WIB, near due two service hours
    # earlier, which is the end of Selasa's service (15.00 WIB) or the start of Rabu's.
    assert due_at == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert near_due_at in (datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
                           datetime(2026, 11, 25, 1, 0, tzinfo=UTC))


def test_two_threads_send_every_notice_and_every_email_exactly_once(app_factory, make_user, smtp):
    app = app_factory(**mail_settings(smtp.port))
    make_team(app, make_user)
    tasks = start_instances(app)
    near_due_at, due_at = tasks[0][2], tasks[0][3]
    assert all(t[2] == near_due_at and t[3] == due_at for t in tasks)

    # Before the near-due moment nothing is due; the "ready" notices of the start are mailed.
    summaries = in_two_threads(app, near_due_at - timedelta(minutes=1))
    assert total(summaries, "near_due") == total(summaries, "overdue") == 0
    assert total(summaries, "emails_sent") == INSTANCES  # redaktur1 only: redaktur2 has no address
    assert smtp.by_recipient() == Counter(
        {(EMAILS["redaktur1"], f"[Satu Data Magetan] Tugas baru: Publikasi {n}"): 1 for n in range(INSTANCES)})

    # Near due: the Redaktur lane (nobody holds the tasks), once per task.
    summaries = in_two_threads(app, near_due_at)
    assert total(summaries, "near_due") == INSTANCES and total(summaries, "overdue") == 0
    assert total(summaries, "notifications") == 2 * INSTANCES
    assert notices(app, "near_due") == Counter(
        {(user, "near_due", task_id): 1 for task_id, *_ in tasks for user in ("redaktur1", "redaktur2")})
    assert total(summaries, "emails_sent") == INSTANCES

    # Overdue: the lane again, and every Redaktur and Pengawas, once each (redaktur1 is both).
    summaries = in_two_threads(app, due_at + timedelta(minutes=1))
    assert total(summaries, "overdue") == INSTANCES and total(summaries, "near_due") == 0
    assert notices(app, "overdue") == Counter(
        {(user, "overdue", task_id): 1 for task_id, *_ in tasks for user in ("redaktur1", "redaktur2", "pengawas1")})
    assert total(summaries, "emails_sent") == 2 * INSTANCES

    # Every e-mail arrived once, to the right person, with the right words.
    received = smtp.by_recipient()
    expected = Counter()
    for n in range(INSTANCES):
        for subject in ("Tugas baru", "Hampir jatuh tempo", "Terlambat"):
            expected[(EMAILS["redaktur1"], f"[Satu Data Magetan] {subject}: Publikasi {n}")] = 1
        expected[(EMAILS["pengawas1"], f"[Satu Data Magetan] Terlambat: Publikasi {n}")] = 1
    assert received == expected
    assert len(smtp.messages) == 4 * INSTANCES
    task_id = tasks[2][0]
    sender, rcpt, message = next(m for m in smtp.messages
                                 if m[1] == [EMAILS["pengawas1"]] and m[2]["Subject"].endswith("Publikasi 2"))
    assert sender == "noreply@magetan.example"
    assert message["To"] == EMAILS["pengawas1"]
    body = message.get_content()
    assert body.startswith("Yth. pengawas1,")
    assert '"Menentukan data yang akan dipublikasikan" untuk publikasi "Publikasi 2" terlambat' in body
    assert f"tenggat {format_wib(due_at)} sudah lewat" in body and "Rabu, 25 November 2026 10.00 WIB" in body
    assert "Dikerjakan oleh: belum diambil siapa pun." in body
    assert f"Buka: https://data.magetan.example/tugas/{task_id}" in body

    # Every notice of someone with an address has its one e-mail, delivered; a further round
    # finds nothing to do.
    with app.app_context():
        mailed = {int(m.reference.split(":")[1]): m for m in db.session.scalars(select(OutboxMessage))}
        rows = db.session.execute(select(Notification.id, User.email).join(User, Notification.user_id == User.id)).all()
    assert {nid for nid, address in rows if address} == set(mailed)
    assert all(m.delivered_at is not None and m.attempts == 1 and m.channel == "email" for m in mailed.values())
    again = in_two_threads(app, due_at + timedelta(hours=1))
    assert all(value == 0 for s in again for value in s.values()), again
    assert len(smtp.messages) == 4 * INSTANCES


@pytest.mark.slow
def test_two_worker_processes_at_the_same_moment(app_factory, make_user, smtp, tmp_path):
    app = app_factory(**mail_settings(smtp.port))
    make_team(app, make_user)
    tasks = start_instances(app)
    due_at = tasks[0][3]
    moment = (due_at + timedelta(minutes=1)).isoformat()
    env = {**os.environ, "APP_DATABASE_URL": app.config["DATABASE_URL"], "APP_SECRET_KEY": "test",
           "APP_INSTANCE_PATH": str(tmp_path / "worker-instance"), "APP_SMTP_HOST": "127.0.0.1",
           "APP_SMTP_PORT": str(smtp.port), "APP_MAIL_FROM": "noreply@magetan.example",
           "APP_MAIL_MAX_AGE_HOURS": "48"}  # the "ready" notices of the start, a day old, are mailed too
    command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--once", "--now", moment]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs

    # The overdue notice of each task once (a task already overdue gets no near-due notice).
    assert notices(app, "near_due") == Counter()
    assert notices(app, "overdue") == Counter(
        {(user, "overdue", task_id): 1 for task_id, *_ in tasks for user in ("redaktur1", "redaktur2", "pengawas1")})
    with app.app_context():
        assert db.session.scalar(select(func.count(TaskNotice.id))) == INSTANCES
    # redaktur1: ready and overdue per instance; pengawas1: overdue per instance.
    expected = Counter()
    for n in range(INSTANCES):
        expected[(EMAILS["redaktur1"], f"[Satu Data Magetan] Tugas baru: Publikasi {n}")] = 1
        expected[(EMAILS["redaktur1"], f"[Satu Data Magetan] Terlambat: Publikasi {n}")] = 1
        expected[(EMAILS["pengawas1"], f"[Satu Data Magetan] Terlambat: Publikasi {n}")] = 1
    assert smtp.by_recipient() == expected
    assert len(smtp.messages) == 3 * INSTANCES
    reported = " ".join(out for out, _ in outputs)
    assert "terlambat:" in reported and "e-mail terkirim:" in reported


def test_the_assignee_alone_hears_of_near_due_and_finished_tasks_are_left_alone(app, make_user):
    make_team(app, make_user)
    (first, _, near_due_at, due_at), (second, _, _, _), (third, *_) = start_instances(app, 3)
    dataset = upload_dataset(make_user("admin2", "admin"))
    with app.app_context():
        tasks.claim(first, db.session.scalar(select(User).where(User.username == "redaktur2")))
        redaktur1 = db.session.scalar(select(User).where(User.username == "redaktur1"))
        tasks.complete(third, {"dataset_id": dataset["id"]}, redaktur1, now=near_due_at - timedelta(minutes=5))
        db.session.commit()

    summary = worker.run_once(app, near_due_at)
    assert summary["near_due"] == 2  # the finished task is not due any more
    assert notices(app, "near_due") == Counter({("redaktur2", "near_due", first): 1,
                                                ("redaktur1", "near_due", second): 1,
                                                ("redaktur2", "near_due", second): 1})
    with app.app_context():
        message = db.session.scalar(select(Notification.message).where(Notification.kind == "near_due",
                                                                       Notification.task_id == first))
    assert message == ('Tugas "Menentukan data yang akan dipublikasikan" untuk publikasi "Publikasi 0" hampir '
                       "jatuh tempo: sisa waktu kurang dari 2 jam pelayanan. Tenggat: Rabu, 25 November 2026 "
                       "10.00 WIB.")

    summary = worker.run_once(app, due_at + timedelta(seconds=1))
    assert summary["overdue"] == 2
    overdue = notices(app, "overdue")
    assert {(u, t) for u, _, t in overdue} == {
        ("redaktur2", first), ("redaktur1", first), ("pengawas1", first),
        ("redaktur1", second), ("redaktur2", second), ("pengawas1", second)}
    assert set(overdue.values()) == {1}
    with app.app_context():
        message = db.session.scalar(select(Notification.message).where(Notification.kind == "overdue",
                                                                       Notification.task_id == first).limit(1))
    assert message.endswith("Dikerjakan oleh: redaktur2.")
    assert [kind for _, kind, t in notices(app) if t == third] == ["ready", "ready"]


def test_a_lost_claim_is_rolled_back_and_skipped(app, make_user, monkeypatch):
    make_team(app, make_user)
    (task_id, _, _, due_at), = start_instances(app, 1)
    later = due_at + timedelta(minutes=1)
    assert worker.run_once(app, later)["overdue"] == 1
    before = notices(app)
    # Another worker read the same candidates a moment earlier: its claim fails on the unique key.
    monkeypatch.setattr(worker, "due_candidates", lambda now: [(task_id, "overdue")])
    summary = worker.run_once(app, later)
    assert summary["claims_lost"] == 1 and summary["overdue"] == 0 and summary["notifications"] == 0
    assert notices(app) == before


def test_an_email_claimed_elsewhere_is_left_to_that_worker_until_its_claim_runs_out(app_factory, make_user, smtp):
    app = app_factory(**mail_settings(smtp.port))
    make_team(app, make_user)
    start_instances(app, 1)
    with app.app_context():  # another worker holds it now (and may be sending it)
        db.session.execute(update(OutboxMessage).values(claimed_until=T0 + outbox.LEASE, attempts=1))
        db.session.commit()
    assert worker.run_once(app, T0)["emails_sent"] == 0
    assert smtp.messages == []
    # That worker died before it could say: after its claim runs out, the e-mail goes once.
    assert worker.run_once(app, T0 + outbox.LEASE + timedelta(seconds=1))["emails_sent"] == 1
    assert worker.run_once(app, T0 + timedelta(hours=1))["emails_sent"] == 0
    assert len(smtp.messages) == 1
    assert smtp.messages[0][2]["Message-ID"].startswith("<outbox-")  # one id, also if it is ever sent twice


def test_a_failed_delivery_is_tried_again_later_and_the_notice_stays_in_the_app(app_factory, make_user, smtp):
    port = free_port()  # nobody listens here yet
    app = app_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT_SECONDS=5)
    make_team(app, make_user)
    start_instances(app, 1)
    summary = worker.run_once(app, T0)
    assert summary["email_errors"] == 1 and summary["emails_sent"] == 0
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        read_at = db.session.scalar(select(Notification.read_at).join(User, Notification.user_id == User.id)
                                    .where(User.username == "redaktur1"))
    assert message.attempts == 1 and message.delivered_at is None and message.failed_at is None and read_at is None
    assert "ConnectionRefusedError" in message.last_error and message.due_at == T0 + outbox.pause_after(1)
    assert worker.run_once(app, T0)["email_errors"] == 0  # not before its pause is over
    # The mail server is up now: the next attempt delivers it.
    mailing = app_factory(**mail_settings(smtp.port))
    assert worker.run_once(mailing, T0 + outbox.pause_after(1))["emails_sent"] == 1
    assert smtp.by_recipient() == Counter({(EMAILS["redaktur1"], "[Satu Data Magetan] Tugas baru: Publikasi 0"): 1})


def test_without_smtp_nothing_is_claimed_for_email_and_old_notices_are_not_mailed(app_factory, make_user, smtp):
    app = app_factory()
    make_team(app, make_user)
    start_instances(app, 1)
    worker.run_once(app, T0)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # nothing waits to be mailed
    # SMTP turned on two days later: the old "ready" notice is not mailed any more; the new
    # overdue notices are.
    mailing = app_factory(**mail_settings(smtp.port))
    assert worker.run_once(mailing, T0 + timedelta(days=2))["emails_sent"] == 2
    assert smtp.by_recipient() == Counter({(EMAILS["redaktur1"], "[Satu Data Magetan] Terlambat: Publikasi 0"): 1,
                                           (EMAILS["pengawas1"], "[Satu Data Magetan] Terlambat: Publikasi 0"): 1})


def test_the_worker_command(app, make_user, runner):
    make_team(app, make_user)
    (_, _, _, due_at), = start_instances(app, 1)
    result = runner.invoke(args=["worker", "--once", "--now", (due_at + timedelta(minutes=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "terlambat: 1 tugas" in result.output and "pemberitahuan: 3" in result.output
    result = runner.invoke(args=["worker", "--now", "kemarin", "--once"])
    assert result.exit_code != 0 and "ISO 8601" in result.output
    result = runner.invoke(args=["worker", "--now", due_at.isoformat()])
    assert result.exit_code != 0 and "--now hanya untuk --once" in result.output


def test_the_loop_runs_rounds_until_stopped(app, make_user):
    make_team(app, make_user)
    start_instances(app, 1, at=datetime(2024, 11, 26, 3, 0, tzinfo=UTC))  # long overdue by now
    stop, said = threading.Event(), []

    def echo(line):
        said.append(line)
        stop.set()

    worker.run_forever(app, 3600, stop, echo=echo)
    assert len(said) == 1 and "terlambat: 1 tugas" in said[0]
