"""/api/v1 calls of process runs: the deployed processes, instances and their tasks."""
from __future__ import annotations

from flask import jsonify, request

from app import policy
from app.core.errors import BadRequest
from app.core.models import utcnow
from app.extensions import db
from app.web.api import blueprint, current_api_user, json_body, page_args, paged, token_required

from . import inbox, instances, processes, shapes, tasks
from .deadlines import TIMELINESS_STATES

bp = blueprint("workflow_api", __name__)


@bp.get("/processes")
@token_required
def list_processes():
    policy.require(policy.may_list_processes(current_api_user()))
    return jsonify({"items": [
        {"id": p["id"], "name": p["name"], "versions": [shapes.version(v, n) for v, n in p["versions"]]}
        for p in processes.versions_overview()
    ]})


def _instance_json(instance, viewer):
    """An instance with its data and trail as the viewer may see them."""
    return shapes.instance(instance, instances.visible_data(instance, viewer), instances.history(instance, viewer))


@bp.post("/instances")
@token_required
def start_instance():
    body = json_body()
    instance = instances.start(body.get("process"), body.get("title"), current_api_user())
    # Read inside the transaction: nothing to load again after it.
    payload = _instance_json(instance, current_api_user())
    db.session.commit()
    return jsonify(payload), 201


@bp.get("/instances/<int:instance_id>")
@token_required
def get_instance(instance_id: int):
    return jsonify(_instance_json(instances.get_instance(instance_id, current_api_user()), current_api_user()))


@bp.get("/tasks")
@token_required
def list_tasks():
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "lane", "all"):
        raise BadRequest("scope harus salah satu dari mine, lane, all.")
    timeliness = request.args.get("timeliness") or None
    if timeliness is not None and timeliness not in TIMELINESS_STATES:
        raise BadRequest("timeliness harus salah satu dari " + ", ".join(TIMELINESS_STATES) + ".")
    page, per_page = page_args()
    now = utcnow()
    rows, total = inbox.task_page(current_api_user(), scope, page, per_page, timeliness=timeliness, now=now)
    return paged([shapes.task(t, now) for t in rows], total, page, per_page)


@bp.get("/tasks/<task_id>")
@token_required
def get_task(task_id: str):
    viewer = current_api_user()
    task = tasks.get_task(task_id, viewer)
    data = task.data if task.completed_at else task.instance.data
    return jsonify({**shapes.task(task), "form": tasks.form_of(task),
                    "data": policy.visible_data(viewer, task.instance.process_version, data)})


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str):
    task = tasks.claim(task_id, current_api_user())
    db.session.commit()
    return jsonify(shapes.task(task))


@bp.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id: str):
    task = tasks.release(task_id, current_api_user())
    db.session.commit()
    return jsonify(shapes.task(task))


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id: str):
    body = json_body()
    instance = tasks.complete(task_id, body.get("data", {}), current_api_user())
    # Read inside the transaction: nothing to load again after it.
    payload = _instance_json(instance, current_api_user())
    db.session.commit()
    return jsonify(payload)
