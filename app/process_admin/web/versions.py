"""Proses (admin): the processes and their versions; download and upload a model; the
difference between two versions on both diagrams; moving running instances to a newer version
(a dry run first); rollback to an older version."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Invalid, TooLarge
from app.core.i18n import N_
from app.core.models import utcnow
from app.extensions import db
from app.process_admin import versions
from app.web.paging import Pager, page_number, per_page

bp = Blueprint("process_admin", __name__, url_prefix="/admin/proses", template_folder="../templates")

ASPECT_LABELS = {
    "type": N_("jenis elemen"), "name": N_("nama"), "lane": N_("lajur"), "role": N_("peran"),
    "form": N_("formulir"), "form_schema": N_("isi formulir"), "standard_time": N_("waktu standar (hari kerja)"),
    "property": N_("properti"), "source": N_("sumber alur"), "target": N_("tujuan alur"),
    "condition": N_("kondisi"), "default": N_("alur bawaan"), "incoming": N_("alur masuk"),
    "outgoing": N_("alur keluar"), "event": N_("definisi kejadian"), "documentation": N_("dokumentasi"),
    "attributes": N_("atribut"),
}


@bp.app_template_global()
def aspect_label(change) -> str:
    label = _(ASPECT_LABELS.get(change.aspect, change.aspect))
    return f"{label} {change.key}" if change.key else label


def _process_page(process_id: str, values: dict | None = None, errors: dict | None = None,
                  message: str | None = None, status: int = 200):
    rows, total = versions.version_page(process_id, current_user, page_number(), per_page())
    numbers = versions.version_numbers(process_id)
    return render_template(
        "admin/processes_versions.html", process_id=process_id,
        name=versions.get_version(process_id, numbers[-1], current_user).name,
        rows=rows, pager=Pager(page_number(), per_page(), total), numbers=numbers, latest=numbers[-1],
        values=values or {}, errors=errors or {}, message=message,
    ), status


@bp.get("", endpoint="index")
@login_required
def index():
    return render_template("admin/processes.html", processes=versions.processes_overview(current_user))


@bp.get("/<process_id>", endpoint="process")
@login_required
def process(process_id: str):
    return _process_page(process_id)


@bp.get("/<process_id>/versi/<int:number>.bpmn", endpoint="download")
@login_required
def download(process_id: str, number: int):
    version = versions.get_version(process_id, number, current_user)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{process_id}_v{number}.bpmn"'
    return response


@bp.post("/<process_id>/unggah", endpoint="upload")
@login_required
def upload(process_id: str):
    versions.require_admin(current_user)
    upload_file = request.files.get("file")
    values = {"notes": request.form.get("notes", "")}
    try:
        version = versions.upload(process_id, upload_file.read() if upload_file else b"",
                                  upload_file.filename if upload_file else "", values["notes"], current_user)
        db.session.commit()
    except (Invalid, TooLarge) as exc:
        db.session.rollback()
        return _process_page(process_id, values, exc.fields, exc.message, exc.status)
    flash(_("Versi %(n)s dipasang. Proses baru memakai versi ini; proses yang berjalan tetap pada versinya.",
            n=version.version), "success")
    return redirect(url_for("process_admin.process", process_id=process_id))


@bp.post("/<process_id>/versi/<int:number>/rollback", endpoint="rollback")
@login_required
def rollback(process_id: str, number: int):
    try:
        version = versions.rollback(process_id, number, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("process_admin.process", process_id=process_id))
    flash(_("Versi %(old)s dipasang kembali sebagai versi %(n)s.", old=number, n=version.version), "success")
    return redirect(url_for("process_admin.process", process_id=process_id))


def _number(name: str, default: int) -> int:
    value = request.args.get(name, type=int)
    return value if value is not None else default


@bp.get("/<process_id>/beda", endpoint="diff")
@login_required
def diff(process_id: str):
    versions.require_admin(current_user)
    numbers = versions.version_numbers(process_id)
    if not numbers:
        abort(404)
    new = _number("ke", numbers[-1])
    old = _number("dari", numbers[-2] if len(numbers) > 1 else numbers[-1])
    result = versions.diff_versions(process_id, old, new, current_user)
    return render_template("admin/processes_diff.html", process_id=process_id, diff=result, numbers=numbers,
                           markers=json.dumps(result.markers()))


@bp.get("/<process_id>/migrasi", endpoint="migration")
@login_required
def migration(process_id: str):
    versions.require_admin(current_user)
    numbers = versions.version_numbers(process_id)
    if not numbers:
        abort(404)
    target, checks = versions.dry_run(process_id, _number("ke", numbers[-1]), current_user)
    pager = Pager(page_number(), per_page(), len(checks))
    start = (pager.page - 1) * pager.per_page
    return render_template(
        "admin/processes_migration.html", process_id=process_id, target=target, numbers=numbers,
        checks=checks[start:start + pager.per_page], pager=pager,
        safe=sum(1 for c in checks if c.safe), unsafe=sum(1 for c in checks if not c.safe),
    )


@bp.post("/<process_id>/migrasi", endpoint="migrate")
@login_required
def migrate(process_id: str):
    versions.require_admin(current_user)
    number = request.form.get("ke", type=int)
    if number is None:
        abort(400)
    result = versions.apply(process_id, number, current_user, now=utcnow())
    db.session.commit()
    if result.moved:
        flash(_("%(n)s proses berjalan dipindahkan ke versi %(v)s.", n=len(result.moved), v=number), "success")
    else:
        flash(_("Tidak ada proses berjalan yang dapat dipindahkan ke versi %(v)s.", v=number), "info")
    if result.refused:
        flash(_("%(n)s proses tetap pada versinya karena tidak aman dipindahkan.", n=len(result.refused)), "warning")
    return redirect(url_for("process_admin.migration", process_id=process_id, ke=number))
