"""The task page: the form of a step with everything a person needs to do it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core import files
from app.core.errors import Conflict, Invalid, TooLarge
from app.core.models import utcnow
from app.extensions import db
from app.workflow import forms, hooks, instances, tasks
from app.workflow.deadlines import calendar

bp = Blueprint("tasks", __name__, template_folder="../templates")


def _context(task, values: dict[str, Any]) -> dict[str, Any]:
    """What surrounds the form: the SOP step, the editor's notes when work comes back, the
    cards the domains add (the data, the design, the complaint), the trail."""
    instance = task.instance
    data = {**instances.visible_data(instance, current_user), **values}
    returned = tasks.sent_back_by(task)
    return {"task": task, "instance": instance, "step": instance.process_version.model.user_tasks.get(task.bpmn_id),
            "revision": returned[1] if returned else None, "reviewer": returned[0].completed_by if returned else None,
            "left": calendar().service_hours_between(utcnow(), task.due_at),
            "history": instances.history(instance, current_user),
            "may_work": policy.may_work_task(current_user, task),
            "panels": hooks.panels(instance, task, current_user, data)}


def _render(task, values: dict[str, Any], errors: dict[str, str], status: int = 200):
    schema = tasks.form_of(task)
    fields = forms.fields_of(schema, values, errors)
    return render_template("tasks/view.html", schema=schema, fields=fields, errors=errors,
                           **_context(task, values)), status


@bp.get("/tugas/<task_id>")
@login_required
def view(task_id: str):
    task = tasks.get_task(task_id, current_user)
    if task.completed_at:
        values = task.data or {}
    else:
        values = task.draft if task.draft is not None else tasks.last_data_of_step(task)
    return _render(task, policy.visible_data(current_user, task.instance.process_version, values), {})


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
    task = tasks.get_task(task_id, current_user)
    policy.require(policy.may_work_task(current_user, task),
                   f"Tugas ini milik lajur {task.lane}; peran Anda tidak mencakupnya.")
    schema = tasks.form_of(task)
    data = forms.coerce(schema, request.form)
    file_ids, upload_errors = _uploaded(schema)
    db.session.commit()  # uploads stand on their own: a refused form keeps them for the next try
    data.update(file_ids)
    if upload_errors:
        return _render(task, data, upload_errors, 422)
    try:
        if request.form.get("action") == "draft":
            tasks.save_draft(task_id, data, current_user)
            db.session.commit()
            flash(_("Draf disimpan. Anda dapat melanjutkannya nanti."), "success")
            return redirect(url_for("tasks.view", task_id=task_id))
        instance = tasks.complete(task_id, data, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        task = tasks.get_task(task_id, current_user)
        return _render(task, data, exc.fields or {"_form": exc.message}, 422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("tasks.view", task_id=task_id))
    flash(_("Langkah \"%(name)s\" selesai.", name=task.name), "success")
    following = tasks.next_task_for(instance, current_user)
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
    return _hand_over(tasks.claim, task_id, _("Tugas diambil; Anda yang mengerjakannya sekarang."), "success",
                      url_for("tasks.view", task_id=task_id))


@bp.post("/tugas/<task_id>/lepas")
@login_required
def release(task_id: str):
    return _hand_over(tasks.release, task_id, _("Tugas dilepaskan ke lajurnya."), "info", url_for("inbox.index"))
