"""The /api/v1 blueprint: JSON in and out, errors as {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.core.errors import BadRequest
from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a forged form to ride on


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Badan permintaan harus berupa objek JSON.")
    return body


def page_args(default_per_page: int) -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise BadRequest("page dan per_page harus berupa bilangan bulat.") from None
    if page < 1 or not 1 <= per_page <= 100:
        raise BadRequest("page minimal 1; per_page antara 1 dan 100.")
    return page, per_page


def paged(items: list, total: int, page: int, per_page: int):
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page})


from app import openapi  # noqa: E402,F401  (its route attaches to bp)

from . import api_routes as routes  # noqa: E402,F401  (their routes attach to bp)
