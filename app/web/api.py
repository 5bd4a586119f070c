"""What every /api/v1 blueprint shares: JSON in and out, paging, the bearer token.

Errors are {"error": {"code", "message", "fields"}} (app.web.errors)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request

from app.core.errors import BadRequest, Unauthorized
from app.core.models import User
from app.core.users import user_for_token
from app.extensions import csrf

PREFIX = "/api/v1"


def blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of /api/v1 calls. Bearer tokens, no cookies: nothing for a forged form to ride
    on, so no CSRF token either."""
    bp = Blueprint(name, import_name, url_prefix=PREFIX)
    csrf.exempt(bp)
    return bp


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Badan permintaan harus berupa objek JSON.")
    return body


def upload() -> tuple[bytes, str]:
    """The bytes and name of the multipart part 'file'."""
    part = request.files.get("file")
    if part is None:
        raise BadRequest("Permintaan multipart harus berisi bagian 'file'.")
    return part.read(), part.filename or ""


def page_args(default_per_page: int | None = None) -> tuple[int, int]:
    default = default_per_page or int(current_app.config["PER_PAGE"])
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default))
    except ValueError:
        raise BadRequest("page dan per_page harus berupa bilangan bulat.") from None
    if page < 1 or not 1 <= per_page <= 100:
        raise BadRequest("page minimal 1; per_page antara 1 dan 100.")
    return page, per_page


def paged(items: list, total: int, page: int, per_page: int):
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page})


def current_api_user() -> User:
    return g.api_user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Unauthorized("Token tidak ada, tidak valid atau kedaluwarsa.")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
