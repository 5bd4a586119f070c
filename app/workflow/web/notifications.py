"""The bell: my notices, newest first, and marking them read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core.i18n import N_
from app.core.models import utcnow
from app.extensions import db
from app.web.paging import Pager, page_number, per_page
from app.web.redirects import safe_path
from app.workflow import notices as notifications
from app.workflow.models import HumanTask, Notification

bp = Blueprint("notifications", __name__, template_folder="../templates")
KIND_LABELS = {
    "ready": N_("Tugas baru"),
    "revision": N_("Perlu revisi"),
    "near_due": N_("Hampir jatuh tempo"),
    "overdue": N_("Terlambat"),
}


def target_of(notification: Notification) -> str | None:
    """The task when I may open it, else its publication's page."""
    if notification.task_id:
        task = db.session.get(HumanTask, notification.task_id)
        if task is not None and policy.may_read_task(current_user, task):
            return url_for("tasks.view", task_id=task.id)
    if notification.instance_id:
        return url_for("instances.view", instance_id=notification.instance_id)
    return None


@bp.get("/pemberitahuan")
@login_required
def index():
    rows, total = notifications.page(current_user, page_number(), per_page())
    return render_template("notifications/index.html", rows=[(n, target_of(n)) for n in rows],
                           pager=Pager(page_number(), per_page(), total), labels=KIND_LABELS,
                           unread=notifications.unread_count(current_user))


def _back() -> str:
    return safe_path(request.form.get("next") or url_for("notifications.index"))


@bp.post("/pemberitahuan/<int:notification_id>/dibaca")
@login_required
def mark_read(notification_id: int):
    """Mark one notice read; with "open", go on to what it is about."""
    notification = notifications.mark_read(current_user, notification_id, utcnow())
    db.session.commit()
    if request.form.get("open"):
        return redirect(target_of(notification) or url_for("notifications.index"))
    flash(_("Pemberitahuan ditandai sudah dibaca."), "success")
    return redirect(_back())


@bp.post("/pemberitahuan/dibaca-semua")
@login_required
def mark_all_read():
    count = notifications.mark_all_read(current_user, utcnow())
    db.session.commit()
    flash(_("%(n)s pemberitahuan ditandai sudah dibaca.", n=count), "success")
    return redirect(_back())
