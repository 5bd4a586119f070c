"""Publications in the making: start one, list them, follow one on its diagram."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from app.catalog.models import Dataset, Opd
from app.core.errors import Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.web.paging import Pager, page_number, per_page
from app.workflow import instances as workflow
from app.workflow import processes

bp = Blueprint("instances", __name__, template_folder="../templates")
PROCESS = "penyebarluasan_data"
LIST_ROLES = ("redaktur", "pengawas", "admin")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _require(*roles: str) -> None:
    if not current_user.has_role(*roles):
        raise Forbidden("Halaman ini untuk " + ", ".join(roles) + ".")


def _datasets(search: str):
    query = select(Dataset).join(Opd).where(Dataset.status == "ready").order_by(Dataset.title, Dataset.id)
    if search.strip():
        term = search.strip().lower()
        query = query.where(or_(func.lower(Dataset.title).contains(term, autoescape=True),
                                func.lower(Opd.name).contains(term, autoescape=True),
                                func.lower(Dataset.period).contains(term, autoescape=True)))
    return db.session.scalars(query.limit(50)).all()


@bp.route("/proses/baru", methods=["GET", "POST"])
@login_required
def new():
    """A title and the data terolah; starting opens the first task with the data chosen."""
    _require("redaktur", "admin")
    title = request.values.get("title", "")
    search = request.values.get("q", "")
    chosen = request.values.get("dataset_id", type=int)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "start":
        errors = workflow.check_start(PROCESS, title)[2]
        dataset = db.session.get(Dataset, chosen) if chosen is not None else None
        if dataset is None or dataset.status != "ready":
            errors["dataset_id"] = "pilih data terolah yang sudah diperiksa walidata"
        if not errors:
            instance = workflow.start(PROCESS, title, current_user)
            first = workflow.next_task_for(instance, current_user)
            if first is not None and first.bpmn_id == "tentukan_data":
                workflow.save_draft(first.id, {"dataset_id": chosen}, current_user)
            db.session.commit()
            flash(_("Publikasi dimulai. Periksa data yang dipilih lalu selesaikan langkah pertama."), "success")
            if first is not None:
                return redirect(url_for("tasks.view", task_id=first.id))
            return redirect(url_for("instances.view", instance_id=instance.id))
    status = 422 if errors else 200
    return render_template("publishing/new.html", title=title, search=search, chosen=chosen,
                           datasets=_datasets(search), errors=errors), status


@bp.get("/proses")
@login_required
def index():
    _require(*LIST_ROLES)
    state = request.args.get("state") if request.args.get("state") in ("running", "completed", "cancelled") else None
    # One state of timeliness; the older "overdue=1" still means the overdue ones.
    timeliness = request.args.get("timeliness") or ("overdue" if request.args.get("overdue") == "1" else "")
    timeliness = timeliness if timeliness in workflow.TIMELINESS_STATES else ""
    period = request.args.get("period", "")
    match = MONTH.match(period)
    month = (int(match[1]), int(match[2])) if match and 1 <= int(match[2]) <= 12 else None
    search = request.args.get("q", "")
    now = utcnow()
    rows, total = workflow.instance_page(page_number(), per_page(), state=state, timeliness=timeliness or None,
                                         now=now, month=month, search=search)
    return render_template("instances/index.html", rows=rows, pager=Pager(page_number(), per_page(), total),
                           state=state, timeliness=timeliness, period=period if month else "", search=search, now=now)


def _timeline(instance):
    """Each step: who, when, and its service time against its standard."""
    model = processes.model_of(instance.process_version)
    calendar, now = workflow.calendar(), utcnow()
    rows = []
    for task in instance.tasks:
        spent = calendar.service_hours_between(task.created_at, task.completed_at or now)
        step = model.user_tasks.get(task.bpmn_id)
        standard = (step.hari_kerja if step else 1) * 6
        rows.append({"task": task, "spent": spent, "standard": standard, "late": spent > standard})
    return rows


def _designs(instance):
    """Every design version in order, with the editor's notes that led to the next one."""
    versions = []
    for task in instance.tasks:
        data = task.data or {}
        if task.completed_at and task.bpmn_id == "desain" and data.get("desain"):
            versions.append({"file_id": data["desain"], "task": task, "notes": data.get("catatan_desain"),
                             "revision": None})
        elif task.completed_at and data.get("keputusan") == "revisi" and versions:
            versions[-1]["revision"] = data.get("catatan_revisi")
    return versions


@bp.get("/proses/<int:instance_id>")
@login_required
def view(instance_id: int):
    instance = workflow.get_instance(instance_id)
    highlight = {
        "completed": sorted({t.bpmn_id for t in instance.tasks if t.completed_at}),
        "current": sorted({t.bpmn_id for t in instance.tasks if t.completed_at is None}),
    }
    return render_template("instances/view.html", instance=instance, timeline=_timeline(instance),
                           designs=_designs(instance), history=workflow.history_rows(instance.id),
                           highlight=json.dumps(highlight), now=utcnow())


@bp.get("/proses/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The BPMN of the version this instance runs on, for the diagram viewer."""
    instance = workflow.get_instance(instance_id)
    return Response(instance.process_version.bpmn_xml, mimetype="application/xml")
