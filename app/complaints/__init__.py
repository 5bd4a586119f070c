"""Complaints about published data: the second process (penanganan_pengaduan), the public form and
status page, the staff's register and list, and the correction that a complaint may start."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.workflow import hooks

    from . import api, models, operations, web  # noqa: F401 (models: its tables)

    app.register_blueprint(web.bp)
    app.register_blueprint(api.bp)
    hooks.add_effect("revise", operations.revise)
    hooks.add_panel(hooks.Panel("complaint", "complaints/_task_card.html", web.task_card, order=10))
