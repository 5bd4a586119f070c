"""/api/v1 calls of process administration: deploying a new version."""
from __future__ import annotations

from flask import jsonify, request

from app.extensions import db
from app.web.api import blueprint, current_api_user, token_required
from app.workflow import processes, shapes

from . import versions

bp = blueprint("process_admin_api", __name__)


@bp.post("/processes/<process_id>/versions")
@token_required
def deploy_version(process_id: str):
    xml = request.get_data(cache=False)
    version, _ = processes.deploy(xml, current_api_user(), expected_process=process_id,
                                  notes=request.args.get("notes", "")[:2000],
                                  forms=versions.forms_for_upload(process_id))
    db.session.commit()
    return jsonify({"id": version.process_id, "name": version.name, **shapes.version(version, 0)}), 201
