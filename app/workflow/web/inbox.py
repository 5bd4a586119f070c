"""Tugas Saya: the ready tasks of my lanes, mine first, the most urgent on top."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app import policy
from app.core.i18n import N_
from app.core.models import utcnow
from app.web.paging import Pager, page_number, per_page
from app.workflow import inbox
from app.workflow.deadlines import TIMELINESS_STATES, calendar

bp = Blueprint("inbox", __name__, template_folder="../templates")
SCOPES = {"mine": N_("Tugas saya dan yang belum diambil"), "lane": N_("Semua tugas lajur saya")}


@bp.get("/tugas")
@login_required
def index():
    overseer = policy.may_see_every_task(current_user)
    # Supervisors who work no lane of their own see every waiting task by default.
    default = "all" if overseer and not inbox.works_a_lane(current_user) else "mine"
    scope = request.args.get("scope", default)
    scope = scope if scope in SCOPES or (scope == "all" and overseer) else default
    step = request.args.get("step") or None
    # One state of timeliness; the older "overdue=1" still means the overdue ones.
    timeliness = request.args.get("timeliness") or ("overdue" if request.args.get("overdue") == "1" else "")
    timeliness = timeliness if timeliness in TIMELINESS_STATES else ""
    now = utcnow()
    tasks, total = inbox.task_page(current_user, scope, page_number(), per_page(),
                                   step=step, timeliness=timeliness or None, now=now)
    cal = calendar()
    rows = [(task, cal.service_hours_between(now, task.due_at)) for task in tasks]
    return render_template(
        "inbox/index.html", rows=rows, pager=Pager(page_number(), per_page(), total), scope=scope,
        scopes=SCOPES, step=step, timeliness=timeliness, steps=inbox.step_names(), now=now,
    )
