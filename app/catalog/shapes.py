"""How OPDs, datasets and data templates look in JSON."""
from __future__ import annotations

from typing import Any

from flask import url_for

from app.catalog.models import Dataset, DataTemplate
from app.core.models import Opd
from app.core.workcal import iso


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
