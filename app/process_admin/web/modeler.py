"""Modeler and form editor: an admin changes a process in the browser as a draft, validates it
on the server (each problem on its element) and deploys it as a new version with its forms.

The modeler page talks JSON with the endpoints below (fetch from app/static/js/modeler.js);
the form editor is plain forms (post/redirect/get) with a live preview drawn by the task
page's own field macros.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from app import policy
from app.core.errors import Conflict, Invalid, NotFound, ServiceError
from app.core.models import ROLES, User
from app.extensions import db
from app.process_admin import drafts
from app.web.errors import HTTP_CODES, HTTP_MESSAGES, error_response
from app.workflow import forms as form_tools
from app.workflow import hooks

bp = Blueprint("modeler", __name__, url_prefix="/admin/proses", template_folder="../templates")


@bp.before_request
@login_required
def _admins_only():
    """Every screen and fetch of the modeler is the admins'; refused before anything is read."""
    policy.require(policy.may_administer_processes(current_user), "Hanya Admin yang dapat mengubah model proses.")


# JSON answers for the modeler's fetches ----------------------------------------------------

def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _json_error(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    db.session.rollback()
    if _wants_json():
        return _json_error(exc.status, exc.code, exc.message, exc.fields)
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = HTTP_MESSAGES.get(status) or exc.description or exc.name
    if _wants_json():
        return _json_error(status, HTTP_CODES.get(status, "error"), message)
    return error_response(status, HTTP_CODES.get(status, "error"), message)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("Permintaan harus berupa objek JSON.")
    return body


def _version_url(process_id: str, number: int) -> str:
    """Where the new version is shown: the process admin page (its versions list)."""
    try:
        return url_for("process_admin.process", process_id=process_id) + f"#versi-{number}"
    except BuildError:
        return url_for("modeler.edit", process_id=process_id)


def _fields(forms: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of the draft's forms, for the condition builder: name, title, type, the
    forms that carry it and its fixed choices."""
    found: dict[str, dict[str, Any]] = {}
    for form_name, schema in sorted(forms.items()):
        properties = schema.get("properties") if isinstance(schema, dict) else None
        for name, prop in (properties or {}).items():
            if not isinstance(prop, dict):
                continue
            entry = found.setdefault(name, {"name": name, "title": prop.get("title") or name,
                                            "type": prop.get("type") or "string", "enum": [], "forms": []})
            entry["forms"].append(form_name)
            for value in prop.get("enum") or []:
                if value not in entry["enum"]:
                    entry["enum"].append(value)
    return sorted(found.values(), key=lambda f: f["name"])


def _draft_json(draft) -> dict[str, Any]:
    forms = draft.forms or {}
    return {"process_id": draft.process_id, "xml": draft.bpmn_xml, "forms": forms, "token": drafts.token(draft),
            "saved": drafts.is_saved(draft), "fields": _fields(forms)}


# The modeler -----------------------------------------------------------------------------

@bp.get("/<process_id>/modeler", endpoint="edit")
@login_required
def edit(process_id: str):
    draft = drafts.load(process_id, current_user)
    updated_by = db.session.get(User, draft.updated_by_id) if draft.updated_by_id else None
    return render_template(
        "modeler/edit.html", process_id=process_id, draft=draft, saved=drafts.is_saved(draft),
        updated_by=updated_by, stale=drafts.stale_against(draft), latest=drafts.latest_version(process_id),
        roles=[(key, _(label)) for key, label in ROLES.items()],
    )


@bp.get("/<process_id>/modeler/draf.json", endpoint="draft")
@login_required
def draft(process_id: str):
    return jsonify(_draft_json(drafts.load(process_id, current_user)))


@bp.post("/<process_id>/modeler/draf", endpoint="save")
@login_required
def save(process_id: str):
    body = _body()
    draft = drafts.save(process_id, body.get("xml"), body.get("forms"), current_user, base=body.get("token"))
    db.session.commit()
    return jsonify({"token": drafts.token(draft), "saved": True, "message": _("Draf disimpan.")})


@bp.post("/<process_id>/modeler/validasi", endpoint="validate")
@login_required
def validate(process_id: str):
    """Validate what the modeler shows (xml and forms of the body), else the stored draft."""
    draft = drafts.load(process_id, current_user)
    body = request.get_json(silent=True) or {}
    xml = body.get("xml") if isinstance(body.get("xml"), str) else draft.bpmn_xml
    forms = body.get("forms") if isinstance(body.get("forms"), dict) else (draft.forms or {})
    problems = drafts.check(process_id, xml, forms)
    return jsonify({"valid": not problems, "problems": problems,
                    "message": _("Model valid: siap dipasang.") if not problems
                    else _("Model memiliki %(n)s masalah.", n=len(problems))})


@bp.post("/<process_id>/modeler/pasang", endpoint="deploy")
@login_required
def deploy(process_id: str):
    body = _body()
    version = drafts.deploy(process_id, current_user, notes=body.get("notes", ""), base=body.get("token"))
    db.session.commit()
    return jsonify({"version": version.version, "url": _version_url(process_id, version.version),
                    "message": _("Versi %(n)s dipasang. Proses baru berjalan pada versi ini.", n=version.version)}), 201


@bp.post("/<process_id>/modeler/buang", endpoint="discard")
@login_required
def discard(process_id: str):
    drafts.discard(process_id, current_user)
    db.session.commit()
    flash(_("Draf dibuang; modeler memuat versi terbaru."), "info")
    return redirect(url_for("modeler.edit", process_id=process_id))


# The form editor -------------------------------------------------------------------------

@bp.get("/<process_id>/modeler/formulir", endpoint="forms")
@login_required
def form_list(process_id: str):
    return _forms_page(process_id)


def _forms_page(process_id: str, values: dict | None = None, errors: dict | None = None, status: int = 200):
    draft = drafts.load(process_id, current_user)
    return render_template(
        "modeler/forms.html", process_id=process_id, draft=draft, forms=sorted((draft.forms or {}).items()),
        users=drafts.form_users(draft), tokens={n: drafts.form_token(draft, n) for n in draft.forms or {}},
        values=values or {}, errors=errors or {},
    ), status


@bp.post("/<process_id>/modeler/formulir", endpoint="form_create")
@login_required
def form_create(process_id: str):
    name = request.form.get("name", "").strip()
    if name and not name.endswith(".json"):
        name += ".json"
    text = _dump(drafts.starter_form(request.form.get("title", "").strip()))
    try:
        drafts.save_form(process_id, name, text, current_user, create=True)
    except Invalid as exc:
        db.session.rollback()
        return _forms_page(process_id, dict(request.form), exc.fields or {"name": exc.message}, 422)
    db.session.commit()
    flash(_("Formulir %(name)s dibuat di draf.", name=name), "success")
    return redirect(url_for("modeler.form", process_id=process_id, name=name))


def _dump(schema: Any) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2)


def _form_page(process_id: str, name: str, text: str | None = None, errors: dict | None = None,
               status: int = 200):
    draft = drafts.load(process_id, current_user)
    forms = draft.forms or {}
    if name not in forms:
        raise NotFound(f"Formulir '{name}' tidak ada di draf.")
    if text is None:
        text = _dump(forms[name])
    schema, parse_errors = drafts.parse_schema(text)
    errors = errors if errors is not None else (parse_errors or drafts.check_form(name, schema))
    return render_template(
        "modeler/form.html", process_id=process_id, name=name, text=text, errors=errors,
        token=drafts.form_token(draft, name), users=drafts.form_users(draft).get(name, []),
        preview=_preview_fields(schema), saved=drafts.is_saved(draft),
    ), status


def _preview_fields(schema: Any) -> list[dict[str, Any]]:
    """The fields as the task page draws them, the catalog's choices filled in."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        return []
    filled = form_tools.fill_dynamic(schema, hooks.enum_sources())
    return form_tools.fields_of(filled, {}, {})


@bp.get("/<process_id>/modeler/formulir/<name>", endpoint="form")
@login_required
def form(process_id: str, name: str):
    return _form_page(process_id, name)


@bp.post("/<process_id>/modeler/formulir/<name>", endpoint="form_save")
@login_required
def form_save(process_id: str, name: str):
    text = request.form.get("schema", "")
    try:
        drafts.save_form(process_id, name, text, current_user, base=request.form.get("token"))
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        return _form_page(process_id, name, text, {"schema": exc.message}, exc.status)
    db.session.commit()
    flash(_("Formulir %(name)s disimpan di draf. Formulir ikut dipasang bersama versi proses berikutnya.",
            name=name), "success")
    return redirect(url_for("modeler.form", process_id=process_id, name=name))


@bp.post("/<process_id>/modeler/formulir/<name>/hapus", endpoint="form_remove")
@login_required
def form_remove(process_id: str, name: str):
    try:
        drafts.remove_form(process_id, name, current_user, base=request.form.get("token"))
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("modeler.forms", process_id=process_id))
    db.session.commit()
    flash(_("Formulir %(name)s dihapus dari draf.", name=name), "info")
    return redirect(url_for("modeler.forms", process_id=process_id))


@bp.post("/<process_id>/modeler/pratinjau", endpoint="preview")
@login_required
def preview(process_id: str):
    """The live preview: the typed schema drawn by the task page's field macros, and its errors."""
    body = _body()
    name = body.get("name") if isinstance(body.get("name"), str) else "formulir.json"
    schema, errors = drafts.parse_schema(body.get("schema"))
    if not errors:
        errors = drafts.check_form(name, schema)
    html = render_template("modeler/_preview.html", fields=_preview_fields(schema))
    return jsonify({"valid": not errors, "errors": errors, "html": html})
