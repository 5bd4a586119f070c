"""The /api/v1 blueprint: JSON in and out, errors as {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, db
from ..services.errors import BadRequest, ServiceError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a forged form to ride on

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid"}
HTTP_MESSAGES = {404: "Alamat tidak ditemukan.", 405: "Metode tidak diizinkan untuk alamat ini.",
                 413: "Permintaan atau berkas terlalu besar."}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(StaleDataError)
def _stale(exc):
    db.session.rollback()
    return error_response(409, "conflict", "Data berubah oleh pengguna lain; muat ulang lalu coba lagi.")


@bp.errorhandler(OperationalError)
def _busy(exc: OperationalError):
    """SQLite answers a write that lost a race with "database is locked": a conflict."""
    db.session.rollback()
    if "locked" in str(exc.orig).lower():
        return error_response(409, "conflict", "Basis data sedang sibuk; coba lagi.")
    raise exc


def http_error(exc: HTTPException):
    return error_response(exc.code or 500, HTTP_CODES.get(exc.code, "error"),
                          HTTP_MESSAGES.get(exc.code, exc.description or exc.name))


bp.register_error_handler(HTTPException, http_error)


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


from . import routes, openapi  # noqa: E402,F401  (routes attach to bp)
