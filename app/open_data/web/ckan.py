"""A read-only CKAN-compatible Action API over the checked catalog (/api/3/action/<name>), for the
national Satu Data portal and CKAN harvesters. No login; GET query parameters or a POST JSON body
(ckanapi's RemoteCKAN posts). Every answer, errors included, has CKAN's shape."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from app.core.errors import ServiceError
from app.extensions import csrf
from app.open_data import ckan

bp = Blueprint("ckan", __name__)
csrf.exempt(bp)  # no session, nothing written: nothing for a forged form to ride on

# Other methods are routed here too, so that they are refused in CKAN's shape.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _help() -> str:
    """CKAN points every answer to the help of its action."""
    name = (request.view_args or {}).get("action_name") or "help_show"
    return url_for("ckan.action", action_name="help_show", name=name, _external=True)


def _answer(body: dict, status: int = 200):
    response = jsonify({"help": _help(), **body})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, read-only data
    return response


def _params() -> ckan.Params:
    # A repeated query parameter (requests' encoding of a list, e.g. facet.field) is a list.
    values = {k: v[0] if len(v) == 1 else v for k, v in request.args.lists()}
    if request.method == "POST":
        body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if request.is_json and not isinstance(body, dict):
            raise ckan.CkanError("Validation Error", "Badan permintaan harus berupa objek JSON.", 409)
        values.update(body or {})
    return ckan.Params(values)


@bp.route("/api/action/<action_name>", methods=METHODS)  # the address ckanapi uses
@bp.route("/api/3/action/<action_name>", methods=METHODS)
def action(action_name: str):
    if request.method not in ("GET", "POST"):
        raise ckan.read_only(action_name)
    return _answer({"success": True, "result": ckan.call(action_name, _params())})


@bp.get("/api/3")
@bp.get("/api/3/")
def version():
    return jsonify({"version": 3})


@bp.route("/api/3/<path:rest>", methods=METHODS)
def unknown(rest: str):
    raise ckan.not_found(f"Alamat '/api/3/{rest}' tidak dikenal.")


@bp.errorhandler(ckan.CkanError)
def _refused(exc: ckan.CkanError):
    return _answer({"success": False, "error": exc.body()}, exc.status)


KINDS = {403: "Authorization Error", 404: "Not Found Error", 409: "Validation Error", 422: "Validation Error"}


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    fields = {k: [v] for k, v in exc.fields.items()}
    return _refused(ckan.CkanError(KINDS.get(exc.status, "Error"), exc.message, exc.status, fields))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 500
    return _refused(ckan.CkanError(KINDS.get(status, exc.name), exc.description or exc.name, status))
