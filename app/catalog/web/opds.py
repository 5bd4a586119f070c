"""The OPD registry and the data operators' appointment letters (admins)."""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import policy
from app.catalog import opds, operators
from app.catalog.models import Dataset
from app.core import files, users
from app.core.errors import Conflict, Invalid, NotFound, TooLarge
from app.core.models import Opd
from app.extensions import db

bp = Blueprint("opd_admin", __name__, url_prefix="/admin/opd", template_folder="../templates")

OPD_FIELDS = ("code", "name", "short_name", "address", "email", "phone", "website")
LETTER_FIELDS = ("user", "number", "signed_on", "valid_from", "valid_until")


@bp.before_request
@login_required
def _admins_only():
    policy.require(policy.may_manage_opds(current_user), "Hanya admin yang boleh mengelola OPD dan operator data.")


# The registry --------------------------------------------------------------------------------

def _dataset_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Dataset.opd_code, func.count()).group_by(Dataset.opd_code)).all())


@bp.get("", endpoint="index")
def index():
    search = request.args.get("q", "").strip()
    needle = search.lower()
    rows = [o for o in opds.listing()
            if not needle or any(needle in (value or "").lower() for value in (o.code, o.name, o.short_name))]
    appointed, operator_counts = defaultdict(int), defaultdict(int)
    today = operators.today()
    for operator in operators.operators():
        operator_counts[operator.opd_code] += 1
        appointed[operator.opd_code] += operators.valid_letter(operator, today) is not None
    return render_template("admin/opd_list.html", rows=rows, q=search, operator_counts=operator_counts,
                           appointed=appointed, dataset_counts=_dataset_counts())


def _opd_form(opd: Opd | None, values: dict, errors: dict | None = None, status: int = 200):
    return render_template("admin/opd_form.html", opd=opd, values=values, errors=errors or {}), status


def _save(opd: Opd | None):
    values = {key: request.form.get(key, "") for key in OPD_FIELDS}
    if opd is not None:
        values["code"], values["active"] = opd.code, "active" in request.form
    try:
        if opd is None:
            opd = opds.create(values, current_user)
        else:
            opds.update(opd.code, values, current_user)
        db.session.commit()
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        return _opd_form(opd, values, {"_form": exc.message, **exc.fields}, exc.status)
    flash(_("Data OPD “%(name)s” disimpan.", name=opd.name), "success")
    return redirect(url_for("opd_admin.view", code=opd.code))


@bp.route("/baru", methods=["GET", "POST"], endpoint="create")
def create():
    if request.method == "POST":
        return _save(None)
    return _opd_form(None, dict.fromkeys(OPD_FIELDS, ""))


@bp.route("/<code>/ubah", methods=["GET", "POST"], endpoint="edit")
def edit(code: str):
    opd = opds.get(code)
    if request.method == "POST":
        return _save(opd)
    return _opd_form(opd, {key: getattr(opd, key) for key in (*OPD_FIELDS, "active")})


# One OPD, its operators and their letters ------------------------------------------------------

def _view_page(opd: Opd, letter_values: dict | None = None, letter_errors: dict | None = None,
               status: int = 200):
    today = operators.today()
    people = []
    for operator in operators.operators(opd.code):
        letters = operators.letters_of(operator.id)
        people.append({"user": operator, "letters": letters,
                       "current": operators.deciding_letter(operator, letters, today)})
    return render_template(
        "admin/opd_view.html", opd=opd, people=people, today=today, letter_state=operators.letter_state,
        dataset_count=_dataset_counts().get(opd.code, 0),
        letter_values=letter_values or dict.fromkeys(LETTER_FIELDS, ""), letter_errors=letter_errors or {},
    ), status


@bp.get("/<code>", endpoint="view")
def view(code: str):
    return _view_page(opds.get(code))


@bp.post("/<code>/surat", endpoint="add_letter")
def add_letter(code: str):
    opd = opds.get(code)
    values = {key: request.form.get(key, "").strip() for key in LETTER_FIELDS}
    upload = request.files.get("file")
    # Only this OPD's operators are offered; anything else posted is not one of them.
    operator = next((u for u in operators.operators(opd.code) if str(u.id) == values["user"]), None)
    try:
        if operator is None:
            raise Invalid(_("Yang dipilih bukan operator data OPD ini."), {"user": _("pilih operator OPD ini")})
        letter = operators.add_letter(operator, values, upload.read() if upload else b"",
                                      upload.filename if upload else "", current_user)
        db.session.commit()
    except (Invalid, TooLarge) as exc:
        db.session.rollback()
        return _view_page(opd, values, {"_form": exc.message, **exc.fields}, exc.status)
    flash(_("Surat penunjukan %(number)s untuk %(name)s dicatat.", number=letter.number,
            name=operator.full_name), "success")
    return redirect(url_for("opd_admin.view", code=opd.code, _anchor=f"operator-{operator.id}"))


@bp.get("/surat/<int:letter_id>.pdf", endpoint="letter_pdf")
def letter_pdf(letter_id: int):
    letter = operators.get_letter(letter_id)
    path = files.path_of(letter.file.sha256)
    if not path.is_file():
        raise NotFound(_("Berkas surat penunjukan tidak ditemukan."))
    response = send_file(path, mimetype=files.PDF, as_attachment=False,
                         download_name=f"surat-penunjukan-{letter.id}.pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"  # letters name people
    return response


@bp.route("/surat/<int:letter_id>/cabut", methods=["GET", "POST"], endpoint="revoke_letter")
def revoke_letter(letter_id: int):
    """A confirmation page, then the revocation (no script needed to ask first)."""
    letter = operators.get_letter(letter_id)
    operator = users.get(letter.user_id)
    back = url_for("opd_admin.view", code=operator.opd_code or letter.opd_code, _anchor=f"operator-{operator.id}")
    if request.method == "GET":
        return render_template("admin/opd_letter_revoke.html", letter=letter, operator=operator, back=back)
    operators.revoke_letter(letter.id, current_user)
    db.session.commit()
    flash(_("Surat penunjukan %(number)s dicabut; %(name)s tidak dapat lagi menyerahkan data dengan surat ini.",
            number=letter.number, name=operator.full_name), "success")
    return redirect(back)
