"""Penyebarluasan Data — Satu Data Kabupaten Magetan.

create_app(config=None) builds the application in a list of steps; nothing happens at import.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from . import settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=settings.instance_path(config), instance_relative_config=True)
    settings.load(app, config)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_errors(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import database
    from .extensions import csrf, db, login, migrate
    from .models import User

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)

    @login.user_loader
    def _load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    with app.app_context():
        database.configure(db.engine)


def _register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .web import auth, portal
    from .web.formatting import register as register_formatting

    app.register_blueprint(api_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(portal.bp)
    register_formatting(app)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


def _register_errors(app: Flask) -> None:
    from . import errors

    errors.register(app)
