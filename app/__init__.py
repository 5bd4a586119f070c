"""Penyebarluasan Data — Satu Data Kabupaten Magetan.

create_app(config=None) builds the application in a list of steps; nothing happens at import.
"""
from __future__ import annotations

import gc
import importlib
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import settings

# The packages by domain, lowest first: each uses only those before it (the import contracts in
# setup.cfg keep it so). Each has init_app(app), which adds its blueprints, commands and helpers.
DOMAINS = ("core", "workflow", "catalog", "publishing", "complaints", "open_data", "supervision",
           "process_admin")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=settings.instance_path(config), instance_relative_config=True)
    settings.load(app, config)
    if app.config["PROXY_COUNT"]:
        # The client's address for the sign-in guard, and https for cookies, come from the proxy.
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _init_extensions(app)
    _init_web_shell(app)
    for name in DOMAINS:
        importlib.import_module(f"app.{name}").init_app(app)
    _init_cli(app)
    if app.config["PRODUCTION"]:
        # What a worker builds at startup lives as long as it does: keep it out of the garbage
        # collector's full passes, which would otherwise walk all of it again and again while
        # requests make and drop their objects (a completion in a long instance made many).
        gc.freeze()
    return app


def _init_extensions(app: Flask) -> None:
    from app.core.i18n import DEFAULT
    from app.core.models import User
    from app.extensions import babel, csrf, db, login, migrate
    from app.web import i18n, transactions

    from . import database

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_locale=DEFAULT,
                   default_translation_directories="translations", default_timezone="Asia/Jakarta")

    @login.user_loader
    def _load_user(session_id: str):
        user_id = session_id.partition(".")[0]
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or user.get_id() != session_id:
            return None  # a changed password ends every other session
        return user

    with app.app_context():
        database.configure(db.engine, writes=transactions.request_writes)


def _init_web_shell(app: Flask) -> None:
    """What every screen and API call shares: headers, request logs, refusal of hostile input,
    error pages, formatting, the language switch, the health check, the API's description."""
    from app import openapi
    from app.web import client, context, errors, formatting, headers, health, hostile_input, i18n, logs

    client.register(app)
    headers.register(app)
    logs.register(app)
    hostile_input.register(app)
    errors.register(app)
    formatting.register(app)
    context.register(app)
    for bp in (health.bp, i18n.bp, openapi.bp):
        app.register_blueprint(bp)


def _init_cli(app: Flask) -> None:
    from app import cli

    cli.register(app)
