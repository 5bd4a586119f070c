"""The catalog of sectoral data: the OPD registry, operators and their appointment letters, data
templates with Kemendagri region codes, datasets and the walidata's check, the public list of data."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, models  # noqa: F401 (models: its tables)
    from .web import catalog, data_templates, opds, sectoral

    for module in (catalog, opds, sectoral, data_templates, api):
        app.register_blueprint(module.bp)
