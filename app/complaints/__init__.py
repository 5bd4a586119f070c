"""Complaints about published data: the second process (penanganan_pengaduan), the public form and
status page, the staff's register and list, and the correction that a complaint may start."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, models, web  # noqa: F401 (models: its tables)

    app.register_blueprint(web.bp)
    app.register_blueprint(api.bp)
