"""The task page: the form of a step with everything a person needs to do it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog.models import Dataset
from app.complaints import operations as complaints
from app.core import files
from app.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from app.core.models import StoredFile, utcnow
from app.extensions import db
from app.workflow import forms, processes
from app.workflow import instances as workflow

bp = Blueprint("tasks", __name__, template_folder="../templates")


def _context(task, values: dict[str, Any]) -> dict[str, Any]:
    """What surrounds the form: the SOP step, the data, the design, the editor's notes."""
    instance = task.instance
    data = {**instance.data, **values}
    model = processes.model_of(instance.process_version)
    step = model.user_tasks.get(task.bpmn_id)
    dataset = db.session.get(Dataset, data["dataset_id"]) if isinstance(data.get("dataset_id"), int) else None
    design = db.session.get(StoredFile, data["desain"]) if isinstance(data.get("desain"), str) else None
    done = [t for t in instance.tasks if t.completed_at is not None]
    review = next((t for t in reversed(done) if (t.data or {}).get("keputusan")), None)
    revision = (review.data.get("catatan_revisi") if review and review.data.get("keputusan") == "revisi"
                and review.completed_at <= task.created_at else None)
    left = workflow.calendar().service_hours_between(utcnow(), task.due_at)
    return {"task": task, "instance": instance, "step": step, "dataset": dataset, "design": design,
            "revision": revision, "reviewer": review.completed_by if revision else None,
            "left": left, "history": workflow.history_rows(instance.id),
            "may_work": workflow.may_work_on(task, current_user),
            "complaint": complaints.of_instance(instance.id)}


def _render(task, values: dict[str, Any], errors: dict[str, str], status: int = 200):
    schema = workflow.form_of(task)
    fields = forms.fields_of(schema, values, errors)
    return render_template("tasks/view.html", schema=schema, fields=fields, errors=errors,
                           **_context(task, values)), status


@bp.get("/tugas/<task_id>")
@login_required
def view(task_id: str):
    task = workflow.get_task(task_id)
    if not workflow.may_view(task, current_user):
        raise Forbidden("Tugas ini milik lajur lain.")
    if task.completed_at:
        values = task.data or {}
    else:
        values = task.draft if task.draft is not None else workflow.last_data_of_step(task)
    return _render(task, values, {})


def _uploaded(schema: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Store the files of file fields; keep the previous file when none is chosen."""
    ids, errors = {}, {}
    for name in forms.file_fields(schema):
        upload = request.files.get(name)
        if upload is not None and upload.filename:
            try:
                ids[name] = files.store_form_upload(upload.read(), upload.filename, current_user).id
            except (Invalid, TooLarge) as exc:
                errors[name] = exc.message
        elif request.form.get(name):
            ids[name] = request.form[name]
    return ids, errors


@bp.post("/tugas/<task_id>")
@login_required
def submit(task_id: str):
    task = workflow.get_task(task_id)
    schema = workflow.form_of(task)
    data = forms.coerce(schema, request.form)
    file_ids, upload_errors = _uploaded(schema)
    db.session.commit()  # uploads stand on their own: a refused form keeps them for the next try
    data.update(file_ids)
    if upload_errors:
        return _render(task, data, upload_errors, 422)
    try:
        if request.form.get("action") == "draft":
            workflow.save_draft(task_id, data, current_user)
            db.session.commit()
            flash(_("Draf disimpan. Anda dapat melanjutkannya nanti."), "success")
            return redirect(url_for("tasks.view", task_id=task_id))
        instance = workflow.complete(task_id, data, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        task = workflow.get_task(task_id)
        return _render(task, data, exc.fields or {"_form": exc.message}, 422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("tasks.view", task_id=task_id))
    flash(_("Langkah \"%(name)s\" selesai.", name=task.name), "success")
    following = workflow.next_task_for(instance, current_user)
    if following is not None:
        return redirect(url_for("tasks.view", task_id=following.id))
    return redirect(url_for("instances.view", instance_id=instance.id) if instance.state == "completed"
                    else url_for("inbox.index"))


def _hand_over(action, task_id: str, done_message: str, category: str, next_url: str):
    """Claim or release, then back to where the person came from."""
    try:
        action(task_id, current_user)
        db.session.commit()
        flash(done_message, category)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    return redirect(next_url)


@bp.post("/tugas/<task_id>/ambil")
@login_required
def claim(task_id: str):
    return _hand_over(workflow.claim, task_id, _("Tugas diambil; Anda yang mengerjakannya sekarang."), "success",
                      url_for("tasks.view", task_id=task_id))


@bp.post("/tugas/<task_id>/lepas")
@login_required
def release(task_id: str):
    return _hand_over(workflow.release, task_id, _("Tugas dilepaskan ke lajurnya."), "info", url_for("inbox.index"))


@bp.get("/berkas/<file_id>")
@login_required
def file(file_id: str):
    """An upload of a task form, for the people who work on the process."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        raise NotFound("Berkas tidak ditemukan.")
    inline = stored.content_type.startswith("image/")
    return send_file(files.path_of(stored.sha256), mimetype=stored.content_type, as_attachment=not inline,
                     download_name=stored.original_name or f"{stored.id}", etag=stored.sha256)
