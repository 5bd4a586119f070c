"""Process administration: versions (deploy, diff, instance migration, rollback), the modeler and
the form editor, the SOP document, and the work calendar's closed days and special hours."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, cli, models  # noqa: F401 (models: its tables)
    from .web import calendar, modeler, sop, versions

    for module in (calendar, sop, versions, modeler, api):
        app.register_blueprint(module.bp)
    cli.register(app)
