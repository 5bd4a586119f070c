"""The staff's sectoral data: upload, correct, hand in, and the walidata's check.

Operators (pengelola_data) work on their own OPD's recaps only, and hand data in only under a
valid appointment letter; the walidata and admins see every OPD and check what was handed in."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app import policy
from app.catalog import data_templates, datasets, opds, operators
from app.catalog.data_templates import TableRefused
from app.catalog.models import Dataset
from app.core.errors import Conflict, Forbidden, Invalid, TooLarge
from app.core.i18n import N_
from app.extensions import db
from app.web.paging import Pager, page_number, per_page

bp = Blueprint("sectoral", __name__, url_prefix="/data-sektoral", template_folder="../templates")

# The tabs of the list; "" is every status.
TABS = (("", N_("Semua")), ("draft", N_("Draf")), ("submitted", N_("Menunggu pemeriksaan")),
        ("returned", N_("Dikembalikan")), ("ready", N_("Siap")))
STATUS_STYLES = {"draft": "text-bg-secondary", "submitted": "text-bg-warning",
                 "returned": "text-bg-danger", "ready": "text-bg-success"}
# The events of a dataset's history (the audit screen words them).
FORM_FIELDS = ("opd", "template", "title", "description", "topic", "period", "frequency", "unit", "source",
               "concept", "method", "contact", "license", "release_date")
DEFAULT_LICENSE = "CC-BY-4.0"
SUBMITTED = N_("“%(title)s” diajukan ke walidata untuk diperiksa.")
APPROVED = N_("“%(title)s” disetujui dan siap dipublikasikan.")
RETURNED = N_("“%(title)s” dikembalikan ke OPD dengan alasannya.")
NO_FILE = "pilih berkas CSV atau XLSX"


# Who may do what ---------------------------------------------------------------------------

def _checker() -> bool:
    return policy.may_check_datasets(current_user)


def _own_opd() -> str | None:
    """The OPD an operator works for; None for the walidata and admins, who see every OPD."""
    policy.require(policy.may_work_on_sectoral_data(current_user),
                   "Halaman ini untuk Pengelola Data OPD, Walidata dan Admin.")
    if _checker():
        return None
    policy.require(bool(current_user.opd_code),
                   "Akun Pengelola Data Anda belum terhubung ke OPD. Hubungi Admin Diskominfo.")
    return current_user.opd_code


def _dataset(dataset_id: int) -> Dataset:
    _own_opd()
    return datasets.get(dataset_id, current_user)


def _appointment_problem() -> str:
    """Why the user may not hand in data now (no valid appointment letter), or ""."""
    try:
        operators.require_appointment(current_user)
    except Forbidden as exc:
        return exc.message
    return ""


@bp.app_template_global()
def dataset_status_badge(status: str) -> Markup:
    return Markup('<span class="badge {}" data-status="{}">{}</span>').format(
        STATUS_STYLES.get(status, "text-bg-secondary"), status, _(datasets.STATUSES.get(status, status)))


# The list ----------------------------------------------------------------------------------

@bp.get("", endpoint="index")
@login_required
def index():
    own = _own_opd()
    # The walidata lands on the queue of what waits for their check.
    status = request.args.get("status", "submitted" if own is None else "")
    status = status if status in datasets.STATUSES else ""
    opd = own or request.args.get("opd", "").strip()
    rows, total = datasets.page(current_user, page_number(), per_page(), status=status, opd=opd)
    problem = _appointment_problem()
    return render_template(
        "sectoral/index.html", rows=rows, pager=Pager(page_number(), per_page(), total), status=status,
        opd=opd, own_opd=own, tabs=TABS, counts=datasets.counts(current_user, opd), problem=problem,
        may_upload=not problem,
        opd_choices=[] if own else opds.listing(), period_label=datasets.period_label,
    )


# The upload and edit form ------------------------------------------------------------------

def _posted() -> dict[str, str]:
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    if _own_opd() is not None:
        values["opd"] = current_user.opd_code  # an operator uploads for their own OPD only
    return values


def _form(values: dict, errors: dict | None = None, *, dataset: Dataset | None = None,
          refused: TableRefused | None = None, message: str = "", status: int = 200):
    own = _own_opd()
    opd_code = dataset.opd_code if dataset else own
    return render_template(
        "sectoral/form.html", values=values, errors=errors or {}, dataset=dataset, refused=refused,
        message=message, opd_choices=[] if opd_code else opds.listing(active_only=True),
        fixed_opd=dataset.opd if dataset else (opds.get(own) if own else None),
        templates=data_templates.listing(current_user, opd_code, active_only=True),
        frequencies=datasets.FREQUENCIES, column_types=data_templates.COLUMN_TYPES,
    ), status


def _refusal(exc: Invalid | TooLarge) -> dict:
    """What the form shows for a refused upload: the message, the fields, the findings."""
    errors = dict(exc.fields)
    if isinstance(exc, TooLarge):
        errors.setdefault("file", exc.message)
    return {"errors": errors, "message": exc.message, "refused": exc if isinstance(exc, TableRefused) else None,
            "status": exc.status}


def _upload_file() -> tuple[bytes | None, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, ""
    return upload.read(), upload.filename


@bp.route("/unggah", methods=["GET", "POST"], endpoint="upload")
@login_required
def upload():
    own = _own_opd()
    operators.require_appointment(current_user)  # the refusal page names the reason
    if request.method == "GET":
        template = request.args.get("template", "")
        return _form({"opd": own or request.args.get("opd", ""), "template": template, "license": DEFAULT_LICENSE})
    values = _posted()
    data, filename = _upload_file()
    try:
        dataset = datasets.create(data or b"", filename, values, current_user,
                                  preview_rows=int(current_app.config["DATASET_PREVIEW_ROWS"]))
        db.session.commit()
    except (Invalid, TooLarge) as exc:
        db.session.rollback()
        shown = _refusal(exc)
        if data is None:
            shown["errors"]["file"] = NO_FILE
        return _form(values, **shown)
    flash(_("Data “%(title)s” tersimpan sebagai draf. Periksa pratinjaunya, lalu ajukan ke walidata.",
            title=dataset.title), "success")
    return redirect(url_for("sectoral.view", dataset_id=dataset.id))


def _values_of(dataset: Dataset) -> dict[str, str]:
    values = {name: getattr(dataset, name, "") or "" for name in FORM_FIELDS}
    values.update(opd=dataset.opd_code, template=str(dataset.template_id or ""),
                  release_date=dataset.release_date.isoformat() if dataset.release_date else "")
    return values


def _editable(dataset_id: int) -> Dataset | None:
    """The dataset if it may be changed now; None when its state forbids it (flashed)."""
    dataset = _dataset(dataset_id)
    if dataset.status not in datasets.EDITABLE:
        flash(_("Data berstatus “%(status)s” tidak dapat diubah.", status=_(datasets.STATUSES[dataset.status])),
              "warning")
        return None
    policy.require(datasets.may_edit(dataset, current_user), "Anda tidak dapat mengubah data ini.")
    operators.require_appointment(current_user)
    return dataset


@bp.route("/<int:dataset_id>/ubah", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit(dataset_id: int):
    dataset = _editable(dataset_id)
    if dataset is None:
        return redirect(url_for("sectoral.view", dataset_id=dataset_id))
    if request.method == "GET":
        return _form(_values_of(dataset), dataset=dataset)
    values = {**_posted(), "opd": dataset.opd_code}
    data, filename = _upload_file()
    try:
        datasets.update(dataset_id, values, current_user, data=data, filename=filename,
                        preview_rows=int(current_app.config["DATASET_PREVIEW_ROWS"]))
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("sectoral.view", dataset_id=dataset_id))
    except (Invalid, TooLarge) as exc:
        db.session.rollback()
        return _form(values, dataset=datasets.get(dataset_id, current_user), **_refusal(exc))
    flash(_("Perubahan data tersimpan."), "success")
    return redirect(url_for("sectoral.view", dataset_id=dataset_id))


# The dataset and its steps -----------------------------------------------------------------

def _page(dataset: Dataset, errors: dict | None = None, reason: str = "", status: int = 200):
    problem = _appointment_problem()
    return render_template(
        "sectoral/view.html", dataset=dataset, errors=errors or {}, reason=reason, problem=problem,
        may_edit=datasets.may_edit(dataset, current_user) and not problem,
        may_check=_checker() and dataset.status == "submitted",
        history=datasets.history(dataset.id), period_label=datasets.period_label,
        frequencies=datasets.FREQUENCIES,
    ), status


@bp.get("/<int:dataset_id>", endpoint="view")
@login_required
def view(dataset_id: int):
    return _page(_dataset(dataset_id))


def _step(dataset_id: int, change, done: str, *args, then: str | None = None):
    """Run one step of the life cycle, then go to `then` (default: the dataset); a step the
    state no longer allows (e.g. already checked by someone else) is flashed."""
    _dataset(dataset_id)
    here = url_for("sectoral.view", dataset_id=dataset_id)
    try:
        dataset = change(dataset_id, *args, current_user)
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(here)
    flash(_(done, title=dataset.title), "success")
    return redirect(then or here)


def _queue() -> str:
    """After a check the walidata goes back to what still waits."""
    return url_for("sectoral.index", status="submitted")


@bp.post("/<int:dataset_id>/ajukan", endpoint="submit")
@login_required
def submit(dataset_id: int):
    return _step(dataset_id, datasets.submit, SUBMITTED)


@bp.post("/<int:dataset_id>/setujui", endpoint="approve")
@login_required
def approve(dataset_id: int):
    return _step(dataset_id, datasets.approve, APPROVED, then=_queue())


@bp.post("/<int:dataset_id>/kembalikan", endpoint="send_back")
@login_required
def send_back(dataset_id: int):
    reason = request.form.get("reason", "")
    try:
        return _step(dataset_id, datasets.send_back, RETURNED, reason, then=_queue())
    except Invalid as exc:
        db.session.rollback()
        return _page(datasets.get(dataset_id, current_user), exc.fields, reason, exc.status)
