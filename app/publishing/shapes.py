"""How a publication looks in JSON: in the API and in the webhook's notice."""
from __future__ import annotations

from typing import Any

from flask import url_for

from app.catalog.shapes import opd
from app.core.workcal import iso

from .models import Publication


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
