"""/api/v1 calls of the catalog: OPDs, sectoral data and data templates."""
from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select

from app.core.errors import BadRequest
from app.core.models import Opd
from app.extensions import db
from app.web.api import blueprint, current_api_user, json_body, page_args, paged, token_required, upload

from . import data_templates, datasets, shapes

bp = blueprint("catalog_api", __name__)


@bp.get("/opds")
@token_required
def list_opds():
    return jsonify({"items": [shapes.opd(o) for o in db.session.scalars(select(Opd).order_by(Opd.name))]})


@bp.post("/datasets")
@token_required
def create_dataset():
    data, filename = upload()
    dataset = datasets.create(data, filename, request.form.to_dict(), current_api_user(),
                              preview_rows=int(current_app.config["DATASET_PREVIEW_ROWS"]))
    db.session.commit()
    return jsonify(shapes.dataset(dataset)), 201


@bp.get("/datasets")
@token_required
def list_datasets():
    page, per_page = page_args()
    status = request.args.get("status", "")
    if status and status not in datasets.STATUSES:
        raise BadRequest(f"status harus salah satu dari: {', '.join(datasets.STATUSES)}.")
    rows, total = datasets.page(current_api_user(), page, per_page, status=status, opd=request.args.get("opd", ""))
    return paged([shapes.dataset(d) for d in rows], total, page, per_page)


@bp.get("/datasets/<int:dataset_id>")
@token_required
def get_dataset(dataset_id: int):
    return jsonify(shapes.dataset(datasets.get(dataset_id, current_api_user())))


def _dataset_step(change, dataset_id: int, *args):
    dataset = change(dataset_id, *args, current_api_user())
    db.session.commit()
    return jsonify(shapes.dataset(dataset))


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
    rows = data_templates.listing(current_api_user(), request.args.get("opd"))
    return jsonify({"items": [shapes.template(t) for t in rows]})


@bp.get("/templates/<int:template_id>")
@token_required
def get_template(template_id: int):
    return jsonify(shapes.template(data_templates.get(template_id, current_api_user())))


@bp.post("/templates")
@token_required
def create_template():
    body = json_body()
    template = data_templates.create(body, body.get("columns"), current_api_user())
    db.session.commit()
    return jsonify(shapes.template(template)), 201
