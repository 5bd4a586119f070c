"""The background worker: `flask --app app worker [--once] [--interval SECONDS]`.

Each round finds the open tasks that became near due or overdue and were not yet noticed,
and tells their people; then it delivers what waits in the outbox (app.core.outbox): e-mails of
notices (SMTP configured) and the publication webhook. Every notice is made once, also with
several workers running at the same time: a worker claims a task's notice by inserting its
TaskNotice row (unique per task and kind) in the transaction that creates the notifications, and
an outbox message by a conditional UPDATE. Each write transaction starts with its claim, so
SQLite makes a second worker wait for the first instead of failing.
"""
from __future__ import annotations

import signal
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.core import mail, outbox
from app.core.models import utcnow
from app.extensions import db
from app.workflow import notices as notifications
from app.workflow.models import HumanTask, Instance, TaskNotice

SUMMARY_KEYS = ("near_due", "overdue", "notifications", "claims_lost", "emails_sent", "email_errors",
                "webhooks_sent", "webhook_errors")
# What the outbox's outcomes count as in a round's summary; a failed attempt is an error whether
# it is tried again later or given up.
OUTCOMES = {
    (outbox.EMAIL, "sent"): "emails_sent", (outbox.EMAIL, "retry"): "email_errors",
    (outbox.EMAIL, "failed"): "email_errors", (outbox.WEBHOOK, "sent"): "webhooks_sent",
    (outbox.WEBHOOK, "retry"): "webhook_errors", (outbox.WEBHOOK, "failed"): "webhook_errors",
}


def _noticed(kind: str):
    return exists().where(TaskNotice.task_id == HumanTask.id, TaskNotice.kind == kind)


def due_candidates(now: datetime) -> list[tuple[str, str]]:
    """(task id, kind) of open tasks whose near-due or overdue notice has not gone out. A task
    first seen when already overdue gets the overdue notice only."""
    open_tasks = (select(HumanTask.id).join(Instance, HumanTask.instance_id == Instance.id)
                  .where(HumanTask.completed_at.is_(None), Instance.state == "running")
                  .order_by(HumanTask.due_at, HumanTask.id))
    overdue = db.session.scalars(open_tasks.where(HumanTask.due_at < now, ~_noticed("overdue"))).all()
    near = db.session.scalars(open_tasks.where(
        HumanTask.near_due_at.is_not(None), HumanTask.near_due_at <= now, HumanTask.due_at >= now,
        ~_noticed("near_due"))).all()
    return [(task_id, "overdue") for task_id in overdue] + [(task_id, "near_due") for task_id in near]


def _still_due(task: HumanTask | None, kind: str, now: datetime) -> bool:
    if task is None or task.completed_at is not None or task.instance.state != "running":
        return False
    if kind == "overdue":
        return task.due_at < now
    return task.near_due_at is not None and task.near_due_at <= now <= task.due_at


def notify_due(now: datetime, summary: Counter) -> None:
    candidates = due_candidates(now)
    db.session.rollback()  # end the read; each claim is a transaction of its own
    for task_id, kind in candidates:
        try:
            db.session.add(TaskNotice(task_id=task_id, kind=kind, created_at=now))
            db.session.flush()  # the claim: the first statement of the transaction
        except IntegrityError:
            db.session.rollback()  # another worker has it
            summary["claims_lost"] += 1
            continue
        task = db.session.get(HumanTask, task_id, populate_existing=True)
        if not _still_due(task, kind, now):  # finished or moved in the meantime
            db.session.rollback()
            continue
        made = notifications.due_notice(task, kind, now)
        db.session.commit()
        summary[kind] += 1
        summary["notifications"] += len(made)


def deliver_outbox(now: datetime, summary: Counter) -> None:
    """The outbox's due messages: e-mail while SMTP is set up, the webhook always."""
    config = current_app.config
    channels = (outbox.EMAIL, outbox.WEBHOOK) if mail.configured(config) else (outbox.WEBHOOK,)
    counts = outbox.deliver_due(now, config, current_app.logger, channels=channels,
                                max_age={outbox.EMAIL: timedelta(hours=float(config["MAIL_MAX_AGE_HOURS"]))})
    for (channel, outcome), key in OUTCOMES.items():
        summary[key] += counts[(channel, outcome)]
    summary["claims_lost"] += counts["claims_lost"]


def run_once(app: Flask, now: datetime | None = None) -> dict[str, int]:
    """One round at the moment now (UTC; the real clock when None): due notices, then e-mail."""
    now = now or utcnow()
    summary: Counter = Counter(dict.fromkeys(SUMMARY_KEYS, 0))
    with app.app_context():
        try:
            notify_due(now, summary)
            deliver_outbox(now, summary)
        finally:
            db.session.rollback()
            db.session.remove()
    return dict(summary)


def run_forever(app: Flask, interval: float, stop: threading.Event | None = None, echo=print) -> None:
    """Rounds every interval seconds until stop is set; a failed round is logged, not fatal."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            summary = run_once(app)
        except Exception:  # noqa: BLE001 - the next round tries again
            app.logger.exception("worker round failed")
        else:
            if any(summary.values()):
                echo(describe(summary))
        stop.wait(interval)


def describe(summary: dict[str, int]) -> str:
    return (f"hampir jatuh tempo: {summary['near_due']} tugas, terlambat: {summary['overdue']} tugas, "
            f"pemberitahuan: {summary['notifications']}, e-mail terkirim: {summary['emails_sent']}, "
            f"e-mail gagal: {summary['email_errors']}, webhook terkirim: {summary['webhooks_sent']}, "
            f"webhook gagal: {summary['webhook_errors']}, sudah diambil pekerja lain: {summary['claims_lost']}")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("tulis waktu ISO 8601, mis. 2026-11-24T03:00:00+00:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Satu putaran saja, lalu berhenti.")
@click.option("--interval", type=click.FloatRange(min=1), default=None,
              help="Detik antarputaran (bawaan: WORKER_INTERVAL_SECONDS).")
@click.option("--now", "now_text", default=None,
              help="Untuk uji dengan --once: anggap sekarang waktu ini (ISO 8601; tanpa zona berarti UTC).")
def worker_command(once, interval, now_text):
    """Kirim pemberitahuan tenggat dan e-mail di latar belakang."""
    app = current_app._get_current_object()
    now = _parse_now(now_text)
    if once:
        click.echo(describe(run_once(app, now)))
        return
    if now is not None:
        raise click.UsageError("--now hanya untuk --once")
    seconds = interval or float(app.config["WORKER_INTERVAL_SECONDS"])
    click.echo(f"Pekerja latar berjalan, satu putaran tiap {seconds:g} detik (Ctrl+C untuk berhenti).")
    stop = threading.Event()
    # SIGTERM (as `make run` sends when the server stops) ends the loop after the current round,
    # so that no claimed e-mail is left half done.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        run_forever(app, seconds, stop, echo=click.echo)
    except KeyboardInterrupt:
        pass
    click.echo("Pekerja latar berhenti.")
