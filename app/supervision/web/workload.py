"""Beban Kerja: open tasks per person and lane by state; admins choose how a lane hands out work."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core.i18n import N_
from app.core.models import utcnow
from app.extensions import db
from app.supervision import workload
from app.web.paging import Pager, page_number, per_page
from app.workflow import assignment
from app.workflow.deadlines import timeliness

bp = Blueprint("workload", __name__, template_folder="../templates")
STATE_LABELS = {"on_time": N_("Tepat waktu"), "near_due": N_("Hampir jatuh tempo"), "overdue": N_("Terlambat")}
UNCLAIMED = "-"  # the "username" of the unclaimed tasks in links


@bp.get("/beban-kerja")
@login_required
def index():
    return render_template("workload/index.html", lanes=workload.overview(current_user, utcnow()), labels=STATE_LABELS,
                           states=workload.STATES, unclaimed=UNCLAIMED)


@bp.get("/beban-kerja/tugas")
@login_required
def tasks():
    process_id, lane = request.args.get("process", ""), request.args.get("lane", "")
    person = request.args.get("user", UNCLAIMED)
    state = request.args.get("state") if request.args.get("state") in workload.STATES else None
    now = utcnow()
    rows, total = workload.task_page(current_user, now, page_number(), per_page(), process_id=process_id, lane=lane,
                                     username=None if person == UNCLAIMED else person, state=state)
    items = [{"task": task, "state": timeliness(task.due_at, task.near_due_at, None, now),
              "viewable": policy.may_read_task(current_user, task)} for task in rows]
    return render_template("workload/tasks.html", items=items, pager=Pager(page_number(), per_page(), total),
                           process_id=process_id, lane=lane, person=person, state=state, labels=STATE_LABELS,
                           unclaimed=UNCLAIMED)


@bp.post("/beban-kerja/lajur")
@login_required
def lane_setting():
    process_id, lane = request.form.get("process", ""), request.form.get("lane", "")
    on = request.form.get("auto_assign") == "1"
    assignment.set_auto_assign(process_id, lane, on, current_user)
    db.session.commit()
    if on:
        flash(_("Tugas baru lajur %(lane)s kini dibagikan otomatis ke anggota dengan beban paling sedikit.",
                lane=lane), "success")
    else:
        flash(_("Tugas baru lajur %(lane)s kini menunggu diambil anggotanya.", lane=lane), "success")
    return redirect(url_for("workload.index"))
