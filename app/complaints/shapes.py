"""How a complaint looks in JSON, as its reporter may see it."""
from __future__ import annotations

from typing import Any

from flask import url_for

from app.core.workcal import iso


def complaint(status) -> dict[str, Any]:
    """A complaint from its public status (operations.PublicStatus)."""
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
