"""Data templates: their columns, and blank files to fill in. Every staff member may read and
download them; admins and walidata define them on a form whose column editor posts parallel lists."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.catalog import data_templates, opds, regions
from app.catalog.datasets import XLSX_TYPE
from app.catalog.models import DataTemplate
from app.catalog.public import download_name
from app.core.errors import Invalid, NotFound
from app.extensions import db

bp = Blueprint("data_templates", __name__, url_prefix="/templat", template_folder="../templates")

EMPTY_ROWS = 3  # blank rows offered below the existing columns, for adding without JS
COLUMN_FIELDS = ("name", "type", "unit", "codes", "description")  # posted as col_<field> lists
CSV_TYPE = "text/csv; charset=utf-8"


def _require_manager() -> None:
    data_templates.require_manager(current_user)


# Reading ----------------------------------------------------------------------------------

@bp.get("", endpoint="index")
@login_required
def index():
    # An operator first sees their own OPD's templates; choosing "Semua OPD" sends opd="".
    own_opd = policy.operators_opd(current_user)
    opd = request.args.get("opd", own_opd or "").strip()
    topic = request.args.get("topik", "").strip()
    everything = data_templates.listing(current_user)
    rows = [t for t in everything if (not opd or t.opd_code == opd) and (not topic or t.topic == topic)]
    return render_template(
        "data_templates/index.html", rows=rows, opd=opd, topic=topic,
        opd_choices=[(o.code, o.name) for o in opds.listing()],
        topics=sorted({t.topic for t in everything}), code_lists=regions.CODE_LISTS,
        may_manage=policy.may_manage_templates(current_user),
    )


@bp.get("/<int:template_id>", endpoint="view")
@login_required
def view(template_id: int):
    return render_template(
        "data_templates/view.html", template=data_templates.get(template_id, current_user),
        column_types=data_templates.COLUMN_TYPES, code_lists=regions.CODE_LISTS,
        may_manage=policy.may_manage_templates(current_user),
    )


def _download(template: DataTemplate, content: bytes, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    name = download_name(template.title, "", XLSX_TYPE if mimetype == XLSX_TYPE else CSV_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<int:template_id>/unduh.xlsx", endpoint="download_xlsx")
@login_required
def download_xlsx(template_id: int):
    template = data_templates.get(template_id, current_user)
    return _download(template, data_templates.as_xlsx(template), XLSX_TYPE)


@bp.get("/<int:template_id>/unduh.csv", endpoint="download_csv")
@login_required
def download_csv(template_id: int):
    template = data_templates.get(template_id, current_user)
    return _download(template, data_templates.as_csv(template), CSV_TYPE)


@bp.get("/kode/<list_name>.csv", endpoint="code_list")
@login_required
def code_list(list_name: str):
    """The Kemendagri codes of the regency's kecamatan or desa, to look codes up while filling in."""
    if list_name not in regions.CODE_LISTS:
        raise NotFound("Daftar kode tidak ditemukan.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kode", "nama"])
    writer.writerows((region.code, region.name) for region in regions.regions(list_name))
    response = Response(buffer.getvalue().encode("utf-8"), mimetype=CSV_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="kode-{list_name}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Defining ---------------------------------------------------------------------------------

def _blank_row() -> dict:
    return {"name": "", "type": "text", "unit": "", "required": False, "codes": "", "description": ""}


def _posted_rows() -> tuple[list[dict], dict[int, str]]:
    """The typed rows of the column editor (blank ones dropped), and per row a missing name.
    A checked "required" box posts its row's index, since unchecked boxes post nothing."""
    form = request.form
    lists = {field: form.getlist(f"col_{field}") for field in COLUMN_FIELDS}
    required = set(form.getlist("col_required"))
    rows, missing_names = [], {}
    for index in range(max(len(values) for values in lists.values())):
        row = {field: (values[index] if index < len(values) else "").strip() for field, values in lists.items()}
        if not (row["name"] or row["unit"] or row["description"]):
            continue
        row["required"] = str(index) in required
        if not row["name"]:
            missing_names[len(rows)] = _("Nama kolom wajib diisi.")
        rows.append(row)
    return rows, missing_names


def _form(template: DataTemplate | None, values: dict, rows: list[dict], errors: dict | None = None,
          row_errors: dict | None = None, status: int = 200):
    return render_template(
        "data_templates/form.html", template=template, values=values, errors=errors or {},
        rows=[*rows, *(_blank_row() for _row in range(EMPTY_ROWS))], row_errors=row_errors or {},
        opd_choices=[(o.code, o.name, o.active) for o in opds.listing()],
        topics=sorted({t.topic for t in data_templates.listing(current_user)}),
        column_types=data_templates.COLUMN_TYPES, code_lists=regions.CODE_LISTS,
    ), status


def _posted_fields(editing: bool) -> dict:
    values = {key: request.form.get(key, "") for key in ("opd", "topic", "title", "description")}
    if editing:
        values["active"] = "active" in request.form
    return values


def _save(template: DataTemplate | None):
    values = _posted_fields(editing=template is not None)
    rows, missing_names = _posted_rows()
    try:  # a row without a name never passes the service's column schema, so nothing is saved
        if template is None:
            template = data_templates.create(values, rows, current_user)
        else:
            data_templates.update(template.id, values, rows, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        errors = {"_form": exc.message, **exc.fields}
        # Said plainly, rather than in the schema's words (an empty list, an empty string).
        if missing_names:
            errors["columns"] = _("Setiap kolom yang diisi harus bernama.")
        elif not rows:
            errors["columns"] = _("Isi paling sedikit satu kolom.")
        return _form(template, values, rows, errors, missing_names, 422)
    flash(_("Templat “%(title)s” disimpan.", title=template.title), "success")
    return redirect(url_for("data_templates.view", template_id=template.id))


@bp.route("/baru", methods=["GET", "POST"], endpoint="create")
@login_required
def create():
    _require_manager()
    if request.method == "POST":
        return _save(None)
    own_opd = current_user.opd_code or ""
    return _form(None, {"opd": own_opd, "topic": "", "title": "", "description": ""}, [])


@bp.route("/<int:template_id>/ubah", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit(template_id: int):
    _require_manager()
    template = data_templates.get(template_id, current_user)
    if request.method == "POST":
        return _save(template)
    values = {"opd": template.opd_code, "topic": template.topic, "title": template.title,
              "description": template.description, "active": template.active}
    return _form(template, values, [dict(_blank_row(), **column) for column in template.columns])
