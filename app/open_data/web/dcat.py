"""The catalog as DCAT-AP in JSON-LD, for harvesters of the European application profile
(the Satu Data portal, ckanext-dcat, data.europa.eu-style tools). Only checked data; no login."""
from __future__ import annotations

import json

from flask import Blueprint, Response, url_for

from app.catalog import datasets
from app.open_data import dcat

bp = Blueprint("dcat", __name__)

JSON_LD = "application/ld+json"


def _json_ld(document: dict) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), content_type=f"{JSON_LD}; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})


@bp.get("/data/catalog.jsonld")
@bp.get("/catalog.jsonld")
def catalog():
    return _json_ld(dcat.catalog_document(url_for("dcat.catalog", _external=True)))


@bp.get("/data/<int:dataset_id>.jsonld")
def dataset(dataset_id: int):
    """One checked dataset; anything else is not found (404), whoever asks."""
    return _json_ld(dcat.dataset_document(datasets.get(dataset_id, None)))
