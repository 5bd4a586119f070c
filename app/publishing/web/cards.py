"""What a publication run shows beside its tasks and on its page: the current design, and every
design version with the editor's notes that led to the next."""
from __future__ import annotations

from app.core.models import StoredFile
from app.extensions import db

from .. import publications


def design_card(instance, task, viewer, data) -> dict | None:
    design_id = data.get(publications.DESIGN)
    design = db.session.get(StoredFile, design_id) if isinstance(design_id, str) else None
    if design is None:
        return None
    return {"design": design, "caption": data.get(publications.CAPTION)}


def design_versions(instance, task, viewer, data) -> dict | None:
    """Every design version in order, with the notes of the decision that sent it back."""
    decisions = instance.process_version.model.decisions()
    versions = []
    for done in (t for t in instance.tasks if t.completed_at):
        values = done.data or {}
        if values.get(publications.DESIGN) and done.bpmn_id not in decisions:
            versions.append({"file_id": values[publications.DESIGN], "task": done,
                             "notes": values.get(publications.DESIGN_NOTES), "revision": None})
        elif done.bpmn_id in decisions and versions:
            versions[-1]["revision"] = decisions[done.bpmn_id].notes(values)
    return {"designs": versions} if versions else None
