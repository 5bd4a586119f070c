"""The calls of /api/v1, thin shells over the services."""
from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select

from app.catalog import data_templates, datasets
from app.catalog.models import Opd
from app.complaints import operations as complaints
from app.core import files, users
from app.core import sign_in as login_guard
from app.core.errors import BadRequest, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.process_admin import versions
from app.publishing import publications
from app.workflow import instances as workflow
from app.workflow import processes

from . import representations as rep
from .api import bp, json_body, page_args, paged
from .api_auth import current_api_user, token_required
from .errors import error_response


def _per_page() -> int:
    return int(current_app.config["PER_PAGE"])


@bp.post("/auth/token")
def auth_token():
    body = json_body()
    # The attempt is committed before it is counted, so parallel guesses see each other.
    ticket = login_guard.enter(str(body.get("username", "")), request.remote_addr)
    db.session.commit()
    try:
        ticket = login_guard.admit(ticket)
    except login_guard.TooManyRequests as exc:
        db.session.commit()  # the refused attempt withdrawn
        response = error_response(exc.status, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    try:
        user = login_guard.sign_in(ticket, str(body.get("password", "")))
    except login_guard.SignInFailed as exc:
        db.session.commit()  # the failure and its audit event, then the pause, then 401
        login_guard.pause(exc.delay)
        raise
    ttl = int(current_app.config["TOKEN_TTL_HOURS"])
    token, row = users.issue_token(user, ttl)
    db.session.commit()
    return jsonify({"token": token, "token_type": "Bearer", "expires_at": rep.iso(row.expires_at),
                    "user": {"username": user.username, "roles": sorted(user.roles)}})


@bp.get("/processes")
@token_required
def list_processes():
    return jsonify({"items": [
        {"id": p["id"], "name": p["name"], "versions": [rep.version(v, n) for v, n in p["versions"]]}
        for p in processes.versions_overview()
    ]})


@bp.post("/processes/<process_id>/versions")
@token_required
def deploy_version(process_id: str):
    xml = request.get_data(cache=False)
    version, _ = processes.deploy(xml, current_api_user(), expected_process=process_id,
                                  notes=request.args.get("notes", "")[:2000],
                                  forms=versions.forms_for_upload(process_id))
    db.session.commit()
    return jsonify({"id": version.process_id, "name": version.name, **rep.version(version, 0)}), 201


@bp.get("/opds")
@token_required
def list_opds():
    return jsonify({"items": [rep.opd(o) for o in db.session.scalars(select(Opd).order_by(Opd.name))]})


def _upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("Permintaan multipart harus berisi bagian 'file'.")
    return upload.read(), upload.filename or ""


@bp.post("/datasets")
@token_required
def create_dataset():
    data, filename = _upload()
    dataset = datasets.create(data, filename, request.form.to_dict(), current_api_user(),
                              preview_rows=int(current_app.config["DATASET_PREVIEW_ROWS"]))
    db.session.commit()
    return jsonify(rep.dataset(dataset)), 201


@bp.get("/datasets")
@token_required
def list_datasets():
    page, per_page = page_args(_per_page())
    status = request.args.get("status", "")
    if status and status not in datasets.STATUSES:
        raise BadRequest(f"status harus salah satu dari: {', '.join(datasets.STATUSES)}.")
    rows, total = datasets.page(page, per_page, status=status, opd=request.args.get("opd", ""))
    return paged([rep.dataset(d) for d in rows], total, page, per_page)


@bp.get("/datasets/<int:dataset_id>")
@token_required
def get_dataset(dataset_id: int):
    return jsonify(rep.dataset(datasets.get(dataset_id)))


def _dataset_step(change, dataset_id: int, *args):
    dataset = change(dataset_id, *args, current_api_user())
    db.session.commit()
    return jsonify(rep.dataset(dataset))


@bp.post("/datasets/<int:dataset_id>/submit")
@token_required
def submit_dataset(dataset_id: int):
    return _dataset_step(datasets.submit, dataset_id)


@bp.post("/datasets/<int:dataset_id>/approve")
@token_required
def approve_dataset(dataset_id: int):
    return _dataset_step(datasets.approve, dataset_id)


@bp.post("/datasets/<int:dataset_id>/return")
@token_required
def return_dataset(dataset_id: int):
    return _dataset_step(datasets.send_back, dataset_id, str(json_body().get("reason", "")))


@bp.get("/templates")
@token_required
def list_templates():
    return jsonify({"items": [rep.template(t) for t in data_templates.listing(request.args.get("opd"))]})


@bp.get("/templates/<int:template_id>")
@token_required
def get_template(template_id: int):
    return jsonify(rep.template(data_templates.get(template_id)))


@bp.post("/templates")
@token_required
def create_template():
    body = json_body()
    template = data_templates.create(body, body.get("columns"), current_api_user())
    db.session.commit()
    return jsonify(rep.template(template)), 201


@bp.post("/files")
@token_required
def upload_file():
    data, filename = _upload()
    stored = files.store_form_upload(data, filename, current_api_user())
    db.session.commit()
    return jsonify({"id": stored.id, "content_type": stored.content_type, "size": stored.size}), 201


def _instance_json(instance):
    return rep.instance(instance, workflow.history_rows(instance.id))


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
    page, per_page = page_args(_per_page())
    now = utcnow()
    rows, total = workflow.task_page(current_api_user(), scope, page, per_page, timeliness=timeliness, now=now)
    return paged([rep.task(t, now) for t in rows], total, page, per_page)


@bp.get("/tasks/<task_id>")
@token_required
def get_task(task_id: str):
    task = workflow.get_task(task_id)
    if not workflow.may_view(task, current_api_user()):
        raise Forbidden(f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")
    return jsonify({**rep.task(task), "form": workflow.form_of(task),
                    "data": task.data if task.completed_at else task.instance.data})


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str):
    task = workflow.claim(task_id, current_api_user())
    db.session.commit()
    return jsonify(rep.task(task))


@bp.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id: str):
    task = workflow.release(task_id, current_api_user())
    db.session.commit()
    return jsonify(rep.task(task))


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id: str):
    body = json_body()
    instance = workflow.complete(task_id, body.get("data", {}), current_api_user())
    payload = _instance_json(instance)  # read inside the transaction: nothing to load again after it
    db.session.commit()
    return jsonify(payload)


@bp.get("/publications")
def list_publications():
    page, per_page = page_args(_per_page())
    rows, total = publications.page(page, per_page)
    return paged([rep.publication(p) for p in rows], total, page, per_page)


@bp.get("/complaints/form-token")
def complaint_form_token():
    """Public: a signed token the complaint must carry; it must be a few seconds old when sent."""
    return jsonify({"form_token": complaints.form_token(),
                    "min_seconds": int(current_app.config["COMPLAINT_MIN_SECONDS"])})


@bp.post("/complaints")
def submit_complaint():
    """Public: a complaint about a publication or a dataset; answers the ticket to follow it."""
    complaint = complaints.submit(json_body(), address=request.remote_addr)
    db.session.commit()
    return jsonify(rep.complaint(complaints.public_status(complaint))), 201


@bp.get("/complaints/<ticket>")
def complaint_status(ticket: str):
    """Public: the status of a complaint by its ticket."""
    return jsonify(rep.complaint(complaints.public_status(complaints.get(ticket))))
