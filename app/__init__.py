"""Penyebarluasan Data — Satu Data Kabupaten Magetan.

create_app(config=None) builds the application in a list of steps; nothing happens at import.
"""
from __future__ import annotations

import gc
import importlib
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import settings

# The packages by domain, lowest first: each stands only on those before it.
DOMAINS = ("core", "workflow", "catalog", "publishing", "complaints", "process_admin")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=settings.instance_path(config), instance_relative_config=True)
    settings.load(app, config)
    if app.config["PROXY_COUNT"]:
        # The client's address for the sign-in guard, and https for cookies, come from the proxy.
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_errors(app)
    if app.config["PRODUCTION"]:
        # What a worker builds at startup lives as long as it does: keep it out of the garbage
        # collector's full passes, which would otherwise walk all of it again and again while
        # requests make and drop their objects (a completion in a long instance made many).
        gc.freeze()
    return app


def _init_extensions(app: Flask) -> None:
    from app.core.models import User

    from . import database
    from .extensions import babel, csrf, db, login, migrate
    from .web import headers as security
    from .web import hostile_input, i18n, logs

    # Every table is known before anything asks the metadata (migrations, the backup).
    for domain in DOMAINS:
        importlib.import_module(f"app.{domain}.models")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_locale=i18n.DEFAULT,
                   default_translation_directories="translations", default_timezone="Asia/Jakarta")
    security.register(app)
    logs.register(app)
    hostile_input.register(app)

    @login.user_loader
    def _load_user(session_id: str):
        user_id = session_id.partition(".")[0]
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or user.get_id() != session_id:
            return None  # a changed password ends every other session
        return user

    with app.app_context():
        database.configure(db.engine)


def _register_blueprints(app: Flask) -> None:
    from app.catalog.web import catalog, sectoral
    from app.catalog.web import data_templates as template_admin
    from app.catalog.web import opds as opd_admin
    from app.core.web import auth
    from app.open_data.web import ckan as ckan_api
    from app.open_data.web import dcat
    from app.process_admin.web import calendar as calendar_admin
    from app.process_admin.web import modeler
    from app.process_admin.web import sop as sop_web
    from app.process_admin.web import versions as process_admin
    from app.publishing.web import portal
    from app.supervision.web import audit as audit_web
    from app.supervision.web import dashboard
    from app.supervision.web import workload as workload_web
    from app.web.api import bp as api_bp
    from app.web.health import bp as health_bp
    from app.web.i18n import bp as i18n_bp
    from app.workflow.web import inbox, instances, tasks
    from app.workflow.web import notifications as notifications_web

    from .complaints import web as complaints
    from .web import context, formatting

    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    for module in (auth, portal, inbox, tasks, instances, audit_web, calendar_admin,
                   notifications_web, workload_web, dashboard, sop_web, process_admin, modeler,
                   catalog, ckan_api, complaints, dcat, opd_admin, sectoral, template_admin):
        app.register_blueprint(module.bp)
    app.register_blueprint(i18n_bp)
    formatting.register(app)
    context.register(app)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


def _register_errors(app: Flask) -> None:
    from .web import errors

    errors.register(app)
