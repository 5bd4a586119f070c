"""Tugas Saya: the ready tasks of my lanes, mine first, the most urgent on top."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.core.i18n import N_
from app.core.models import utcnow
from app.web.paging import Pager, page_number, per_page
from app.workflow import instances as workflow

bp = Blueprint("inbox", __name__, template_folder="../templates")
SCOPES = {"mine": N_("Tugas saya dan yang belum diambil"), "lane": N_("Semua tugas lajur saya")}


@bp.get("/tugas")
@login_required
def index():
    overseer = current_user.has_role(*workflow.OVERSIGHT_ROLES)
    # Supervisors who work no lane of their own see every waiting task by default.
    default = "all" if overseer and not workflow.works_a_lane(current_user) else "mine"
    scope = request.args.get("scope", default)
    scope = scope if scope in SCOPES or (scope == "all" and overseer) else default
    step = request.args.get("step") or None
    # One state of timeliness; the older "overdue=1" still means the overdue ones.
    timeliness = request.args.get("timeliness") or ("overdue" if request.args.get("overdue") == "1" else "")
    timeliness = timeliness if timeliness in workflow.TIMELINESS_STATES else ""
    now = utcnow()
    tasks, total = workflow.task_page(current_user, scope, page_number(), per_page(),
                                      step=step, timeliness=timeliness or None, now=now)
    calendar = workflow.calendar()
    rows = [(task, calendar.service_hours_between(now, task.due_at)) for task in tasks]
    return render_template(
        "inbox/index.html", rows=rows, pager=Pager(page_number(), per_page(), total), scope=scope,
        scopes=SCOPES, step=step, timeliness=timeliness, steps=workflow.step_names(), now=now,
    )
