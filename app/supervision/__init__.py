"""Supervision: the dashboard and its statistics, the monthly report, the workload of people and
lanes, and the audit trail's screens."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .web import audit, dashboard, workload

    for module in (audit, workload, dashboard):
        app.register_blueprint(module.bp)
