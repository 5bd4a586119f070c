"""Publishing: the SOP "Penyebarluasan Data" comes to its end here — a publication made from checked
data, the public portal (publications, their datasets, the feed), corrections, the webhook."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.workflow import hooks

    from . import api, models, publications  # noqa: F401 (models: its tables)
    from .web import cards, new, portal

    for bp in (portal.bp, new.bp, api.bp):
        app.register_blueprint(bp)
    new.register(app)
    hooks.add_effect("publish", publications.publish)
    hooks.add_panel(hooks.Panel("design", "publishing/_design_card.html", cards.design_card, order=30))
    hooks.add_panel(hooks.Panel("designs", "publishing/_designs.html", cards.design_versions, order=30,
                                on_task=False, on_instance=True))
