"""Publikasi Baru: a title and the checked data; starting opens the first task with the data chosen."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from app import policy
from app.catalog.models import Dataset
from app.core.keys import by_id
from app.core.models import Opd
from app.extensions import db
from app.workflow import instances, processes, tasks

from .. import publications

bp = Blueprint("publishing", __name__, template_folder="../templates")


def may_start_publication(user) -> bool:
    """Whether the user may start a run of the SOP (the newest version's start lane)."""
    model = processes.latest_model(publications.PROCESS)
    return model is not None and policy.may_start(user, model)


def _datasets(search: str):
    query = (select(Dataset).join(Opd).where(Dataset.status == policy.READY)
             .order_by(Dataset.title, Dataset.id))
    if search.strip():
        term = search.strip().lower()
        query = query.where(or_(func.lower(Dataset.title).contains(term, autoescape=True),
                                func.lower(Opd.name).contains(term, autoescape=True),
                                func.lower(Dataset.period).contains(term, autoescape=True)))
    return db.session.scalars(query.limit(50)).all()


@bp.route("/proses/baru", methods=["GET", "POST"])
@login_required
def new():
    policy.require(may_start_publication(current_user), "Peran Anda tidak dapat memulai publikasi.")
    title = request.values.get("title", "")
    search = request.values.get("q", "")
    chosen = request.values.get("dataset_id", type=int)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "start":
        errors = instances.check_start(publications.PROCESS, title)[2]
        dataset = by_id(Dataset, chosen)
        if dataset is None or dataset.status != policy.READY:
            errors[publications.DATASET] = "pilih data terolah yang sudah diperiksa walidata"
        if not errors:
            instance = instances.start(publications.PROCESS, title, current_user)
            first = tasks.next_task_for(instance, current_user)
            if first is not None and first.bpmn_id == publications.CHOOSE_DATA:
                tasks.save_draft(first.id, {publications.DATASET: chosen}, current_user)
            db.session.commit()
            flash(_("Publikasi dimulai. Periksa data yang dipilih lalu selesaikan langkah pertama."), "success")
            if first is not None:
                return redirect(url_for("tasks.view", task_id=first.id))
            return redirect(url_for("instances.view", instance_id=instance.id))
    status = 422 if errors else 200
    return render_template("publishing/new.html", title=title, search=search, chosen=chosen,
                           datasets=_datasets(search), errors=errors), status


def register(app) -> None:
    @app.context_processor
    def _may_start_publication() -> dict:
        signed_in = current_user.is_authenticated
        return {"may_start_publication": signed_in and may_start_publication(current_user)}
