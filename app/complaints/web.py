"""Complaints from the public: the form, the ticket status page, and staff registration."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import and_, exists, func, not_, or_, select

from app import policy
from app.catalog import datasets
from app.catalog.models import Dataset
from app.core.errors import BadRequest, Invalid, NotFound, TooMany
from app.core.i18n import N_
from app.core.keys import parse_id
from app.core.paging import page_of
from app.core.search import like_pattern
from app.extensions import db
from app.publishing import publications
from app.publishing.models import Publication
from app.web.paging import Pager, page_number, per_page
from app.workflow.models import HumanTask, Instance

from . import operations as complaints
from .models import Complaint

bp = Blueprint("complaints", __name__, template_folder="templates")

TEXT_FIELDS = (complaints.NAME, complaints.CONTACT, complaints.MESSAGE)
# The stages the reporter sees, in order, with what each means; "dikoreksi" only when it happened.
STATUSES = ("diterima", "diverifikasi", "dikoreksi", "dijawab", "selesai")
STATUS_LABELS = {"diterima": N_("Diterima"), "diverifikasi": N_("Diverifikasi"), "dikoreksi": N_("Dikoreksi"),
                 "dijawab": N_("Dijawab"), "selesai": N_("Selesai")}
STATUS_TEXTS = {
    "diterima": N_("Pengaduan diterima dan diberi nomor tiket."),
    "diverifikasi": N_("Petugas Pengaduan memeriksa pengaduan terhadap data atau publikasi yang dilaporkan."),
    "dikoreksi": N_("Redaktur mengoreksi publikasi; versi terkoreksi terbit di portal setelah selesai disiapkan."),
    "dijawab": N_("Petugas menjawab pengaduan; jawabannya tampil di halaman ini."),
    "selesai": N_("Pengaduan ditutup."),
}
STATUS_STYLES = {"diterima": "text-bg-secondary", "diverifikasi": "text-bg-info", "dikoreksi": "text-bg-warning",
                 "dijawab": "text-bg-primary", "selesai": "text-bg-success"}
# Which step ends which stage (as services.complaints.STAGES), for the list's filter.
STAGE_STEPS = {status: step for step, status in complaints.STAGES}


@bp.app_template_global()
def complaint_status_badge(status: str) -> Markup:
    return Markup('<span class="badge {}" data-status="{}">{}</span>').format(
        STATUS_STYLES.get(status, "text-bg-secondary"), status, _(STATUS_LABELS.get(status, status)))


def _id_arg(name: str) -> int | None:
    """An id from the query string; a value that is not a number names nothing that exists."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    found = parse_id(raw)
    if found is None:
        raise NotFound("Publikasi atau data yang dilaporkan tidak ditemukan.")
    return found


def _reported() -> tuple[Publication | None, Dataset | None]:
    """What the public form reports: a publication (its newest version) or a checked dataset."""
    publication_id, dataset_id = _id_arg("publikasi"), _id_arg("data")
    if publication_id is not None:
        return publications.current(publications.get(publication_id)), None
    if dataset_id is not None:
        return None, datasets.get(dataset_id, None)  # a dataset the public may see
    raise NotFound("Buka publikasi atau data yang ingin Anda laporkan, lalu pilih “Laporkan masalah data”.")


# The public form --------------------------------------------------------------------------

def _new_page(publication, dataset, values: dict[str, str], *, token: str, errors: dict | None = None,
              message: str = "", status: int = 200):
    return render_template("complaints/new.html", publication=publication, dataset=dataset, values=values,
                           token=token, errors=errors or {}, message=message), status


@bp.route("/pengaduan/baru", methods=["GET", "POST"])
def new():
    publication, dataset = _reported()
    if request.method == "GET":
        return _new_page(publication, dataset, {}, token=complaints.form_token())
    values = {name: request.form.get(name, "") for name in TEXT_FIELDS}
    fields: dict[str, Any] = {**values, "form_token": request.form.get("form_token", ""),
                              complaints.HONEYPOT: request.form.get(complaints.HONEYPOT, "")}
    if publication is not None:
        fields["publication_id"] = publication.id
    else:
        fields["dataset_id"] = dataset.id
    try:
        complaint = complaints.submit(fields, address=request.remote_addr)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        # The token was good (it is checked first): keep it, so a quick fix is not refused as too fast.
        return _new_page(publication, dataset, values, token=fields["form_token"], errors=exc.fields,
                         message=exc.message, status=422)
    except TooMany as exc:
        db.session.rollback()
        response = make_response(_new_page(publication, dataset, values, token=complaints.form_token(),
                                           message=exc.message, status=429))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except BadRequest as exc:
        db.session.rollback()
        return _new_page(publication, dataset, values, token=complaints.form_token(), message=exc.message,
                         status=400)
    # The ticket stands out in the notice: the words escaped, the ticket in bold.
    shown = Markup('<strong class="fs-5 font-monospace text-nowrap" data-ticket>{}</strong>').format(complaint.ticket)
    flash(escape(_("Pengaduan Anda diterima dengan nomor tiket %(ticket)s. Simpan nomor tiket ini untuk "
                   "mengikuti penanganannya.")) % {"ticket": shown}, "success")
    return redirect(url_for("complaints.status", ticket=complaint.ticket))


# The reporter's view ------------------------------------------------------------------------

def _timeline(state: complaints.PublicStatus) -> list[dict[str, Any]]:
    """Every stage in order: reached ones with their time; "dikoreksi" only when it happened."""
    reached = dict(state.steps)
    return [{"status": s, "at": reached.get(s), "done": s in reached}
            for s in STATUSES if s != "dikoreksi" or s in reached]


@bp.get("/pengaduan/<ticket>")
def status(ticket: str):
    complaint = complaints.get(ticket)
    state = complaints.public_status(complaint)
    return render_template("complaints/status.html", complaint=complaint, state=state, timeline=_timeline(state),
                           labels=STATUS_LABELS, texts=STATUS_TEXTS)


@bp.get("/pengaduan")
def lookup():
    """A form to type a ticket; a known one leads to its status page."""
    if "tiket" not in request.args:
        return render_template("complaints/lookup.html", ticket="", error="")
    ticket = request.args.get("tiket", "").strip()
    if not ticket:
        return render_template("complaints/lookup.html", ticket="", error=_("Tulis nomor tiket Anda.")), 422
    try:
        found = complaints.get(ticket)
    except NotFound:
        return render_template("complaints/lookup.html", ticket=ticket, error=_(
            "Nomor tiket tidak ditemukan. Periksa penulisannya, misalnya ADU-ABCD-2345.")), 404
    return redirect(url_for("complaints.status", ticket=found.ticket))


# Staff --------------------------------------------------------------------------------------

def _subject_choices() -> tuple[list[Publication], list[Dataset]]:
    current = db.session.scalars(select(Publication).where(Publication.superseded_by_id.is_(None))
                                 .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(500)).all()
    ready = db.session.scalars(select(Dataset).where(Dataset.status == "ready")
                               .order_by(Dataset.title, Dataset.period, Dataset.id).limit(500)).all()
    return list(current), list(ready)


def _register_page(values: dict[str, str], errors: dict | None = None, message: str = "", status: int = 200):
    current, ready = _subject_choices()
    return render_template("complaints/register.html", values=values, errors=errors or {}, message=message,
                           publications=current, datasets=ready), status


def _subject_fields(subject: str) -> dict[str, int] | None:
    """"p12" is publication 12, "d7" dataset 7; anything else is no choice."""
    kind, number = subject[:1], subject[1:]
    if kind in ("p", "d") and number.isdigit():
        return {"publication_id" if kind == "p" else "dataset_id": int(number)}
    return None


@bp.route("/pengaduan/catat", methods=["GET", "POST"])
@login_required
def register():
    """A complaint received by phone, letter or at the desk."""
    policy.require(policy.may_register_complaint(current_user),
                   "Hanya Petugas Pengaduan yang dapat mencatat pengaduan.")
    if request.method == "GET":
        publication_id, dataset_id = request.args.get("publikasi", ""), request.args.get("data", "")
        chosen = f"p{publication_id}" if publication_id.isdigit() else f"d{dataset_id}" if dataset_id.isdigit() else ""
        return _register_page({"subjek": chosen})
    values = {name: request.form.get(name, "") for name in (*TEXT_FIELDS, "subjek")}
    subject = _subject_fields(values["subjek"])
    try:
        complaint = complaints.register({**values, **(subject or {})}, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        errors = {("subjek" if k in ("publication_id", "dataset_id") else k): v for k, v in exc.fields.items()}
        if subject is None:
            errors["subjek"] = _("pilih publikasi atau data yang diadukan")
        return _register_page(values, errors, exc.message, 422)
    flash(_("Pengaduan dicatat dengan nomor tiket %(ticket)s. Sampaikan nomor ini kepada pengadu.",
            ticket=complaint.ticket), "success")
    return redirect(url_for("instances.view", instance_id=complaint.instance_id))


def _done(step: str):
    return exists().where(HumanTask.instance_id == Complaint.instance_id, HumanTask.bpmn_id == step,
                          HumanTask.completed_at.is_not(None))


def _with_status(query, status: str):
    """Complaints whose stage is ``status``: its step is done and no later one (as public_status)."""
    order = [step for step, _status in complaints.STAGES]
    if status == "diterima":
        return query.where(not_(or_(*(_done(step) for step in order))))
    step = STAGE_STEPS[status]
    later = order[order.index(step) + 1:]
    return query.where(and_(_done(step), *(not_(_done(s)) for s in later)))


@bp.get("/pengaduan/daftar")
@login_required
def index():
    policy.require(policy.may_list_complaints(current_user),
                   "Halaman ini hanya untuk petugas yang menangani pengaduan.")
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    search = " ".join(request.args.get("q", "").split())[:100]
    query = (select(Complaint).join(Instance, Instance.id == Complaint.instance_id)
             .order_by(Complaint.created_at.desc(), Complaint.id.desc()))
    if status:
        query = _with_status(query, status)
    if search:
        term = like_pattern(search.lower())
        query = query.where(or_(func.lower(Instance.title).like(term, escape="\\"),
                                func.lower(Complaint.message).like(term, escape="\\")))
    rows, total = page_of(query, page_number(), per_page())
    return render_template("complaints/index.html", rows=[(c, complaints.public_status(c)) for c in rows],
                           pager=Pager(page_number(), per_page(), total), status=status, search=search,
                           labels=STATUS_LABELS, may_register=policy.may_register_complaint(current_user))


# The card on the pages of a complaint's run ------------------------------------------------

NOTES = {complaints.CORRECT: "correction", complaints.ANSWER_STEP: "answer"}


def task_card(instance, task, viewer, data) -> dict | None:
    """The complaint beside the task: what is reported, by whom (for those who may see the
    reporter's name and contact), and what the step leads to."""
    complaint = complaints.of_instance(instance.id)
    if complaint is None:
        return None
    open_step = task.bpmn_id if task is not None and task.completed_at is None else None
    return {"complaint": complaint, "subject": data.get(complaints.SUBJECT), "name": data.get(complaints.NAME),
            "contact": data.get(complaints.CONTACT), "step": NOTES.get(open_step)}
