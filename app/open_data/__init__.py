"""Open interfaces for harvesters: a CKAN-compatible Action API and a DCAT-AP catalog, read-only,
over the checked datasets and their publications."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .web import ckan, dcat

    app.register_blueprint(ckan.bp)
    app.register_blueprint(dcat.bp)
