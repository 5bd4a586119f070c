"""Notices to people about their tasks: in the app (the bell), and by e-mail through the worker.

Four kinds: "ready" (a task waits for my lane or for me), "revision" (work I did comes back
with the editor's notes), "near_due" (less than NEAR_DUE_HOURS of service time left) and
"overdue" (past its due time; the Redaktur and the Pengawas are told too). Messages are
stored in Bahasa Indonesia, naming the publication, the step and the due time in WIB.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.core import mail, outbox, users
from app.core.errors import NotFound
from app.core.models import User
from app.core.paging import page_of
from app.core.workcal import format_wib
from app.extensions import db

from .models import HumanTask, Notification

KINDS = ("ready", "revision", "near_due", "overdue")
OVERDUE_WATCHERS = ("redaktur", "pengawas")  # told of every overdue task
SUBJECTS = {
    "ready": "Tugas baru",
    "revision": "Perlu revisi",
    "near_due": "Hampir jatuh tempo",
    "overdue": "Terlambat",
}


def _people_of(task: HumanTask) -> list[User]:
    """Whoever holds the task, or every active member of its lane while nobody does."""
    if task.assignee_id is not None:
        assignee = db.session.get(User, task.assignee_id)
        if assignee is not None and assignee.active:
            return [assignee]
    return users.holding(task.role)


def _unique(people: Iterable[User], *, leave_out: User | None = None) -> list[User]:
    seen, result = set(), []
    for person in people:
        if person.id in seen or (leave_out is not None and person.id == leave_out.id):
            continue
        seen.add(person.id)
        result.append(person)
    return result


def _cause(task: HumanTask) -> HumanTask | None:
    """The finished task whose completion made this one ready (the latest finished before it)."""
    before = [(t.completed_at, n, t) for n, t in enumerate(task.instance.tasks)
              if t is not task and t.completed_at is not None and t.completed_at <= task.created_at]
    return max(before, key=lambda item: item[:2])[2] if before else None


def _sent_back_by(task: HumanTask) -> HumanTask | None:
    """The decision that sent work back to this step, when the task is a return: an earlier
    round of the same step exists, and it was made ready by a different step than this round
    (a design after a review that sent it back is a return; the caption after the new design is
    not)."""
    cause = _cause(task)
    for earlier in reversed(task.instance.tasks):
        if earlier is not task and earlier.bpmn_id == task.bpmn_id and earlier.completed_at is not None:
            first_cause = _cause(earlier)
            if cause is not None and (first_cause is None or first_cause.bpmn_id != cause.bpmn_id):
                return cause
            return None
    return None


def message_for(kind: str, task: HumanTask, *, notes: str | None = None,
                reviewer: User | None = None) -> str:
    title, step, due = task.instance.title, task.name, format_wib(task.due_at)
    if kind == "ready":
        return f'Tugas "{step}" untuk publikasi "{title}" siap dikerjakan. Tenggat: {due}.'
    if kind == "revision":
        who = f" oleh {reviewer.full_name}" if reviewer is not None else ""
        text = f'Publikasi "{title}" dikembalikan{who} untuk revisi pada langkah "{step}".'
        if notes:
            text += f" Catatan revisi: {notes.strip()}"
        return text + f" Tenggat: {due}."
    if kind == "near_due":
        return (f'Tugas "{step}" untuk publikasi "{title}" hampir jatuh tempo: sisa waktu kurang '
                f"dari 2 jam pelayanan. Tenggat: {due}.")
    if kind == "overdue":
        holder = task.assignee.full_name if task.assignee is not None else "belum diambil siapa pun"
        return (f'Tugas "{step}" untuk publikasi "{title}" terlambat: tenggat {due} sudah lewat. '
                f"Dikerjakan oleh: {holder}.")
    raise ValueError(kind)


def _add(people: Iterable[User], kind: str, task: HumanTask, message: str, now: datetime) -> list[Notification]:
    """The notices in the app, and their e-mails in the outbox (for those with an address, while
    SMTP is set up)."""
    people = list(people)
    made = [Notification(user_id=p.id, kind=kind, instance_id=task.instance_id, task_id=task.id,
                         message=message, created_at=now) for p in people]
    db.session.add_all(made)
    config = current_app.config
    mailed = [(p, n) for p, n in zip(people, made, strict=True) if mail.mail_address(p)]
    if mailed and mail.configured(config):
        db.session.flush()  # the notices' ids, for the e-mails' references
        base = str(config.get("PUBLIC_BASE_URL") or "").rstrip("/")
        link = f"{base}/tugas/{task.id}" if base else None
        for person, notification in mailed:
            outbox.enqueue(outbox.EMAIL, mail.mail_address(person), email_body(notification, person, link),
                           subject=subject_for(notification, task.instance.title),
                           reference=f"notification:{notification.id}", now=now)
    return made


def task_ready(task: HumanTask, now: datetime, *, actor: User | None = None) -> list[Notification]:
    """A task has just become ready: tell whoever is to do it, except the person whose own
    action made it ready (they are taken to it at once). A step that comes back after an
    earlier round is a revision, with the editor's notes."""
    db.session.flush()  # the task row exists before notices point at it
    kind, notes, reviewer = "ready", None, None
    decision = _sent_back_by(task)
    if decision is not None:
        kind, reviewer = "revision", decision.completed_by
        rule = task.instance.process_version.model.decisions().get(decision.bpmn_id)
        notes = rule.notes(decision.data) if rule is not None else None
    people = _unique(_people_of(task), leave_out=actor)
    return _add(people, kind, task, message_for(kind, task, notes=notes if isinstance(notes, str) else None,
                                                reviewer=reviewer), now)


def due_notice(task: HumanTask, kind: str, now: datetime) -> list[Notification]:
    """Near due: the assignee, or the lane while unclaimed. Overdue: the same people and every
    active Redaktur and Pengawas."""
    people = _people_of(task)
    if kind == "overdue":
        people = people + users.holding(*OVERDUE_WATCHERS)
    elif kind != "near_due":
        raise ValueError(kind)
    return _add(_unique(people), kind, task, message_for(kind, task), now)


# The bell -----------------------------------------------------------------------------------

def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def page(user: User, page_no: int, per_page: int) -> tuple[list[Notification], int]:
    query = (select(Notification).where(Notification.user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return page_of(query, page_no, per_page)


def get_own(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("Pemberitahuan tidak ditemukan.")
    return notification


def mark_read(user: User, notification_id: int, now: datetime) -> Notification:
    notification = get_own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = now
    db.session.flush()
    return notification


def mark_all_read(user: User, now: datetime) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    return result.rowcount or 0


def subject_for(notification: Notification, title: str | None) -> str:
    subject = f"[Satu Data Magetan] {SUBJECTS.get(notification.kind, 'Pemberitahuan')}"
    return f"{subject}: {title}" if title else subject


def email_body(notification: Notification, user: User, link: str | None) -> str:
    lines = [f"Yth. {user.full_name},", "", notification.message, ""]
    if link:
        lines += [f"Buka: {link}", ""]
    lines += ["Pesan ini dikirim otomatis oleh aplikasi Penyebarluasan Data —",
              "Dinas Komunikasi dan Informatika Kabupaten Magetan."]
    return "\n".join(lines)
