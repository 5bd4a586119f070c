"""The platform every domain stands on: people and their roles, sign-in and API tokens, stored files,
the work calendar, the audit chain, e-mail, backups. Its screens: sign-in, one's password, the
admins' user list."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import api, cli, models  # noqa: F401 (models: its tables)
    from .web import auth, files

    app.register_blueprint(auth.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(api.bp)
    cli.register(app)
