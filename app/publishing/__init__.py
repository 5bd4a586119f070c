"""Publishing: the SOP "Penyebarluasan Data" comes to its end here — a publication made from checked
data, the public portal (publications, their datasets, the feed), corrections, the webhook."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, models  # noqa: F401 (models: its tables)
    from .web import portal

    app.register_blueprint(portal.bp)
    app.register_blueprint(api.bp)
