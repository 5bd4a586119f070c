"""GET /healthz for load balancers and monitoring: public, no session, no cookie.

200 {"status": "ok", "database": "ok", "migrations": "current", "revision": head} when the
database answers and its schema is at the migrations' head; 503 with the failing part otherwise:
"database": "unreachable", or "migrations": "behind" (an older or no revision) or "unknown" (a
revision these migrations do not have, e.g. code older than the database), with both revisions.
"""
from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)


@cache
def _script(directory: str) -> ScriptDirectory:
    """The migrations the app was deployed with; they do not change while it runs."""
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config(directory))


def _migrations(current: str | None, script: ScriptDirectory) -> str:
    head = script.get_current_head()
    if current == head:
        return "current"
    try:
        known = current is None or script.get_revision(current) is not None
    except CommandError:
        known = False
    return "behind" if known else "unknown"


@bp.get("/healthz")
def healthz():
    script = _script(str(current_app.extensions["migrate"].directory))
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        current_app.logger.warning("healthz: database unreachable: %s", exc)
        body, status = {"status": "error", "database": "unreachable"}, 503
    else:
        state = _migrations(current, script)
        body = {"status": "ok" if state == "current" else "error", "database": "ok", "migrations": state,
                "revision": current}
        if state != "current":
            body["head"] = script.get_current_head()
        status = 200 if state == "current" else 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
