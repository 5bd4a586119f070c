"""/api/v1 calls of the platform: a bearer token, and uploads for task forms."""
from __future__ import annotations

from flask import current_app, jsonify, request

from app.core.workcal import iso
from app.extensions import db
from app.web.api import blueprint, current_api_user, json_body, token_required, upload
from app.web.errors import error_response

from . import files, sign_in, users

bp = blueprint("core_api", __name__)


@bp.post("/auth/token")
def auth_token():
    body = json_body()
    # The attempt is committed before it is counted, so parallel guesses see each other.
    ticket = sign_in.enter(str(body.get("username", "")), request.remote_addr)
    db.session.commit()
    try:
        ticket = sign_in.admit(ticket)
    except sign_in.TooManyRequests as exc:
        db.session.commit()  # the refused attempt withdrawn
        response = error_response(exc.status, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    try:
        user = sign_in.sign_in(ticket, str(body.get("password", "")))
    except sign_in.SignInFailed as exc:
        db.session.commit()  # the failure and its audit event, then the pause, then 401
        sign_in.pause(exc.delay)
        raise
    ttl = int(current_app.config["TOKEN_TTL_HOURS"])
    token, row = users.issue_token(user, ttl)
    db.session.commit()
    return jsonify({"token": token, "token_type": "Bearer", "expires_at": iso(row.expires_at),
                    "user": {"username": user.username, "roles": sorted(user.roles)}})


@bp.post("/files")
@token_required
def upload_file():
    data, filename = upload()
    stored = files.store_form_upload(data, filename, current_api_user())
    db.session.commit()
    return jsonify({"id": stored.id, "content_type": stored.content_type, "size": stored.size}), 201
