"""Dokumen SOP: the printable SOP of a process generated from a deployed version, its PDF, and
the admin's form for the SOP metadata (identity block and lists)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Invalid
from app.core.models import utcnow
from app.extensions import db
from app.process_admin import sop_document as sop

bp = Blueprint("sop", __name__, url_prefix="/proses", template_folder="../templates")


def _version_number() -> int | None:
    raw = request.args.get("versi")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        abort(404)
    return int(raw)


@bp.get("/<process_id>/sop", endpoint="view")
@login_required
def view(process_id: str):
    doc = sop.document(process_id, _version_number())
    return render_template(
        "sop/view.html", doc=doc, identity=sop.identity_rows(doc), lists=sop.LIST_TITLES,
        signer=sop.signer_lines(doc), flowchart=sop.flowchart_svg(doc.table, title=_("Diagram alir SOP")),
        date_text=sop.date_text, versions=sop.version_numbers(process_id),
    )


@bp.get("/<process_id>/sop.pdf", endpoint="pdf")
@login_required
def pdf(process_id: str):
    doc = sop.document(process_id, _version_number())
    body = sop.pdf(doc, generated_at=utcnow())
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{sop.pdf_filename(doc)}"',
        "Cache-Control": "no-store",
    })


def _edit_page(process_id: str, values: dict, errors: dict | None = None, status: int = 200):
    version = sop.version_of(process_id)
    return render_template(
        "sop/edit.html", process_id=process_id, version=version, values=values, errors=errors or {},
        lanes=sop.lanes_of(version),
    ), status


@bp.get("/<process_id>/sop/metadata", endpoint="edit")
@login_required
def edit(process_id: str):
    sop.require_admin(current_user)
    return _edit_page(process_id, sop.form_values(sop.meta_of(process_id)))


@bp.post("/<process_id>/sop/metadata", endpoint="save")
@login_required
def save(process_id: str):
    sop.require_admin(current_user)
    names = [key for key, _required, _max in sop.IDENTITY_FIELDS] + list(sop.LIST_FIELDS)
    values = {name: request.form.get(name, "") for name in names}
    try:
        _row, changed = sop.update_meta(process_id, values, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _edit_page(process_id, values, exc.fields or {"_form": exc.message}, 422)
    if changed:
        flash(_("Metadata SOP disimpan."), "success")
    else:
        flash(_("Tidak ada perubahan pada metadata SOP."), "info")
    return redirect(url_for("sop.view", process_id=process_id))
