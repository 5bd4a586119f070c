"""Process runs: deployed process versions, instances and their human tasks, due times, the inbox,
the task and instance screens, and the notices to people about their tasks. The only user of the
engine (app.engine)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, models  # noqa: F401 (models: its tables)
    from .web import inbox, instances, navigation, notifications, tasks, timeliness

    for module in (inbox, tasks, instances, notifications, api):
        app.register_blueprint(module.bp)
    timeliness.register(app)
    navigation.register(app)
