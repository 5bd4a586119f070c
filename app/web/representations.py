"""How records look in the JSON API."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from flask import url_for

from app.catalog.models import Dataset, DataTemplate, Opd
from app.core import users
from app.core.models import utcnow
from app.publishing.models import Publication
from app.workflow.instances import timeliness
from app.workflow.models import HumanTask, Instance, ProcessVersion


def iso(moment: datetime | None) -> str | None:
    """2026-11-24T03:00:00Z (the moments are UTC; isoformat is the fastest way to write them)."""
    return moment.isoformat(timespec="seconds")[:19] + "Z" if moment else None


def task(t: HumanTask, now: datetime | None = None, *, usernames: Mapping[int, str] | None = None,
         instance_title: str | None = None) -> dict[str, Any]:
    """A task. An instance's answer lists all its tasks: it gives `usernames` (user id ->
    username) and the title, so that nothing is loaded task by task."""
    now = now or utcnow()
    if usernames is None:
        assignee = t.assignee.username if t.assignee else None
        completed_by = t.completed_by.username if t.completed_by else None
    else:
        assignee, completed_by = usernames.get(t.assignee_id), usernames.get(t.completed_by_id)
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "instance_title": t.instance.title if instance_title is None else instance_title,
        "bpmn_id": t.bpmn_id,
        "name": t.name,
        "lane": t.lane,
        "state": "completed" if t.completed_at else "ready",
        "assignee": assignee,
        "created_at": iso(t.created_at),
        "due_at": iso(t.due_at),
        "overdue": (t.completed_at or now) > t.due_at,
        "timeliness": timeliness(t.due_at, t.near_due_at, t.completed_at, now),
        "completed_at": iso(t.completed_at),
        "completed_by": completed_by,
    }


def event(e) -> dict[str, Any]:
    """An event of the trail, from a row of workflow.history_rows."""
    return {"at": iso(e.at), "user": e.username, "action": e.action, "task_id": e.task_id, "detail": e.detail}


def instance(i: Instance, history) -> dict[str, Any]:
    now = utcnow()
    usernames = users.usernames({t.assignee_id for t in i.tasks} | {t.completed_by_id for t in i.tasks})
    return {
        "id": i.id,
        "process": i.process_version.process_id,
        "process_version": i.process_version.version,
        "title": i.title,
        "state": i.state,
        "data": i.data,
        "created_at": iso(i.created_at),
        "completed_at": iso(i.completed_at),
        "due_at": iso(i.due_at),
        "overdue": (i.completed_at or now) > i.due_at,
        "timeliness": timeliness(i.due_at, i.near_due_at, i.completed_at, now),
        "tasks": [task(t, now, usernames=usernames, instance_title=i.title) for t in i.tasks],
        "history": [event(e) for e in history],
    }


def opd(o: Opd) -> dict[str, Any]:
    return {"code": o.code, "name": o.name}


def dataset(d: Dataset) -> dict[str, Any]:
    return {
        "id": d.id, "uuid": d.uuid, "title": d.title, "description": d.description, "opd": opd(d.opd),
        "topic": d.topic, "template_id": d.template_id, "period": d.period, "year": d.year,
        "frequency": d.frequency, "unit": d.unit, "source": d.source, "concept": d.concept,
        "method": d.method, "contact": d.contact, "license": d.license,
        "release_date": d.release_date.isoformat() if d.release_date else None,
        "status": d.status, "return_reason": d.return_reason,
        "columns": d.columns, "row_count": d.row_count, "preview": d.preview,
        "is_sample": d.is_sample, "created_at": iso(d.created_at),
        "url": url_for("portal.dataset", dataset_id=d.id, _external=True),
    }


def template(t: DataTemplate) -> dict[str, Any]:
    return {"id": t.id, "opd": t.opd_code, "topic": t.topic, "title": t.title,
            "description": t.description, "columns": t.columns, "active": t.active}


def version(v: ProcessVersion, running: int) -> dict[str, Any]:
    return {"version": v.version, "sha256": v.sha256, "deployed_at": iso(v.deployed_at),
            "notes": v.notes, "forms": sorted(v.forms), "running_instances": running}


def publication(p: Publication) -> dict[str, Any]:
    return {
        "id": p.id, "title": p.title, "caption": p.caption,
        "image_url": url_for("portal.media", file_id=p.design_file_id, _external=True),
        "dataset": {"id": p.dataset.id, "title": p.dataset.title, "opd": opd(p.dataset.opd),
                    "url": url_for("portal.dataset", dataset_id=p.dataset.id, _external=True)},
        "channels": p.channels, "links": p.links, "published_at": iso(p.published_at),
        "url": url_for("portal.publication", publication_id=p.id, _external=True),
        "corrects": p.revises_id, "correction_note": p.correction_note,
    }


def complaint(status) -> dict[str, Any]:
    """A complaint as its reporter may see it (services.complaints.PublicStatus)."""
    corrected = status.corrected_publication_id
    return {
        "ticket": status.ticket, "status": status.status, "subject": status.subject,
        "publication_id": status.publication_id, "dataset_id": status.dataset_id,
        "message": status.message, "received_at": iso(status.received_at),
        "steps": [{"status": name, "at": iso(at)} for name, at in status.steps],
        "answer": status.answer, "answered_at": iso(status.answered_at) if status.answered_at else None,
        "corrected_publication_url": url_for("portal.publication", publication_id=corrected, _external=True)
        if corrected else None,
        "closed": status.closed,
        "url": url_for("complaints.status", ticket=status.ticket, _external=True),
    }
