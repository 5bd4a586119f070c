"""The catalog of sectoral data: operators and their appointment letters, data templates with
Kemendagri region codes, datasets and the walidata's check, the public list of data, and the
admins' registry of OPDs."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.workflow import hooks

    from . import api, datasets, models  # noqa: F401 (models: its tables)
    from .web import cards, catalog, data_templates, opds, sectoral

    for module in (catalog, opds, sectoral, data_templates, api):
        app.register_blueprint(module.bp)
    hooks.add_enum_source("datasets", datasets.choices)
    hooks.add_panel(hooks.Panel("dataset", "catalog/_task_card.html", cards.dataset_card, order=20))
