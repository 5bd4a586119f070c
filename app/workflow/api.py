"""/api/v1 calls of process runs: the deployed processes, instances and their tasks."""
from __future__ import annotations

from flask import jsonify, request

from app.core.errors import BadRequest, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.web.api import blueprint, current_api_user, json_body, page_args, paged, token_required

from . import instances as workflow
from . import processes, shapes

bp = blueprint("workflow_api", __name__)


@bp.get("/processes")
@token_required
def list_processes():
    return jsonify({"items": [
        {"id": p["id"], "name": p["name"], "versions": [shapes.version(v, n) for v, n in p["versions"]]}
        for p in processes.versions_overview()
    ]})


def _instance_json(instance):
    return shapes.instance(instance, workflow.history_rows(instance.id))


@bp.post("/instances")
@token_required
def start_instance():
    body = json_body()
    instance = workflow.start(body.get("process"), body.get("title"), current_api_user())
    payload = _instance_json(instance)  # read inside the transaction: nothing to load again after it
    db.session.commit()
    return jsonify(payload), 201


@bp.get("/instances/<int:instance_id>")
@token_required
def get_instance(instance_id: int):
    return jsonify(_instance_json(workflow.get_instance(instance_id)))


@bp.get("/tasks")
@token_required
def list_tasks():
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "lane", "all"):
        raise BadRequest("scope harus salah satu dari mine, lane, all.")
    timeliness = request.args.get("timeliness") or None
    if timeliness is not None and timeliness not in workflow.TIMELINESS_STATES:
        raise BadRequest("timeliness harus salah satu dari " + ", ".join(workflow.TIMELINESS_STATES) + ".")
    page, per_page = page_args()
    now = utcnow()
    rows, total = workflow.task_page(current_api_user(), scope, page, per_page, timeliness=timeliness, now=now)
    return paged([shapes.task(t, now) for t in rows], total, page, per_page)


@bp.get("/tasks/<task_id>")
@token_required
def get_task(task_id: str):
    task = workflow.get_task(task_id)
    if not workflow.may_view(task, current_api_user()):
        raise Forbidden(f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")
    return jsonify({**shapes.task(task), "form": workflow.form_of(task),
                    "data": task.data if task.completed_at else task.instance.data})


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str):
    task = workflow.claim(task_id, current_api_user())
    db.session.commit()
    return jsonify(shapes.task(task))


@bp.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id: str):
    task = workflow.release(task_id, current_api_user())
    db.session.commit()
    return jsonify(shapes.task(task))


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id: str):
    body = json_body()
    instance = workflow.complete(task_id, body.get("data", {}), current_api_user())
    payload = _instance_json(instance)  # read inside the transaction: nothing to load again after it
    db.session.commit()
    return jsonify(payload)
