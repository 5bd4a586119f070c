"""/api/v1 calls of complaints: public, without a token."""
from __future__ import annotations

from flask import current_app, jsonify, request

from app.extensions import db
from app.web.api import blueprint, json_body

from . import operations as complaints
from . import shapes

bp = blueprint("complaints_api", __name__)


@bp.get("/complaints/form-token")
def complaint_form_token():
    """A signed token the complaint must carry; it must be a few seconds old when sent."""
    return jsonify({"form_token": complaints.form_token(),
                    "min_seconds": int(current_app.config["COMPLAINT_MIN_SECONDS"])})


@bp.post("/complaints")
def submit_complaint():
    """A complaint about a publication or a dataset; answers the ticket to follow it."""
    complaint = complaints.submit(json_body(), address=request.remote_addr)
    db.session.commit()
    return jsonify(shapes.complaint(complaints.public_status(complaint))), 201


@bp.get("/complaints/<ticket>")
def complaint_status(ticket: str):
    """The status of a complaint by its ticket."""
    return jsonify(shapes.complaint(complaints.public_status(complaints.get(ticket))))
