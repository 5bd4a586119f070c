"""Error responses: API paths answer {"error": {"code", "message", "fields"}}; screens answer
a page in Bahasa Indonesia. Every refusal rolls back what the request had changed."""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.core.errors import Conflict, ServiceError
from app.extensions import db

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
              429: "too_many_requests"}
HTTP_MESSAGES = {
    400: "Permintaan tidak dapat diproses. Muat ulang halaman lalu coba lagi.",
    403: "Anda tidak memiliki akses ke halaman ini.",
    404: "Alamat tidak ditemukan.",
    405: "Metode tidak diizinkan untuk alamat ini.",
    413: "Permintaan atau berkas terlalu besar.",
}
STALE = "Data berubah oleh pengguna lain; muat ulang lalu coba lagi."


def _is_api() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   extra: dict | None = None):
    if not _is_api():
        return render_template("error.html", status=status, message=message), status
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _service_error(exc: ServiceError):
    db.session.rollback()
    response = error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response = make_response(response)
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = HTTP_MESSAGES.get(status) or exc.description or exc.name
    return error_response(status, HTTP_CODES.get(status, "error"), message)


def _stale(_exc: StaleDataError):
    return _service_error(Conflict(STALE))


def _busy(exc: OperationalError):
    """SQLite answers a write that lost a race past the busy timeout with "database is locked"."""
    if "locked" not in str(exc.orig).lower():
        raise exc
    return _service_error(Conflict("Basis data sedang sibuk; coba lagi."))


def register(app: Flask) -> None:
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(OperationalError, _busy)
