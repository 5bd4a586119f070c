"""Runs of the processes: the list (Daftar Proses), and each one on its diagram with its timeline,
its trail and the cards its domains add."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from app import policy
from app.core.models import utcnow
from app.web.paging import Pager, page_number, per_page
from app.workflow import hooks, instances
from app.workflow.deadlines import TIMELINESS_STATES, calendar

bp = Blueprint("instances", __name__, template_folder="../templates")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@bp.get("/proses")
@login_required
def index():
    policy.require(policy.may_list_instances(current_user), "Halaman ini untuk Redaktur, Pengawas dan Admin.")
    state = request.args.get("state") if request.args.get("state") in ("running", "completed", "cancelled") else None
    # One state of timeliness; the older "overdue=1" still means the overdue ones.
    timeliness = request.args.get("timeliness") or ("overdue" if request.args.get("overdue") == "1" else "")
    timeliness = timeliness if timeliness in TIMELINESS_STATES else ""
    period = request.args.get("period", "")
    match = MONTH.match(period)
    month = (int(match[1]), int(match[2])) if match and 1 <= int(match[2]) <= 12 else None
    search = request.args.get("q", "")
    now = utcnow()
    rows, total = instances.instance_page(current_user, page_number(), per_page(), state=state,
                                          timeliness=timeliness or None, now=now, month=month, search=search)
    return render_template("instances/index.html", rows=rows, pager=Pager(page_number(), per_page(), total),
                           state=state, timeliness=timeliness, period=period if month else "", search=search, now=now)


def _timeline(instance):
    """Each step: who, when, and its service time against its standard."""
    model = instance.process_version.model
    cal, now = calendar(), utcnow()
    rows = []
    for task in instance.tasks:
        spent = cal.service_hours_between(task.created_at, task.completed_at or now)
        step = model.user_tasks.get(task.bpmn_id)
        standard = (step.hari_kerja if step else 1) * 6
        rows.append({"task": task, "spent": spent, "standard": standard, "late": spent > standard})
    return rows


@bp.get("/proses/<int:instance_id>")
@login_required
def view(instance_id: int):
    instance = instances.get_instance(instance_id, current_user)
    highlight = {
        "completed": sorted({t.bpmn_id for t in instance.tasks if t.completed_at}),
        "current": sorted({t.bpmn_id for t in instance.tasks if t.completed_at is None}),
    }
    return render_template("instances/view.html", instance=instance, timeline=_timeline(instance),
                           panels=hooks.panels(instance, None, current_user,
                                               instances.visible_data(instance, current_user)),
                           history=instances.history(instance, current_user),
                           highlight=json.dumps(highlight), now=utcnow())


@bp.get("/proses/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The BPMN of the version this instance runs on, for the diagram viewer."""
    instance = instances.get_instance(instance_id, current_user)
    return Response(instance.process_version.bpmn_xml, mimetype="application/xml")
