"""Values every template sees: the language, and the count of my waiting tasks for the nav bar."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from ..services import workflow


def _context() -> dict:
    count = 0
    if current_user.is_authenticated:
        count = workflow.count_tasks(current_user, "mine")
    return {"current_locale": str(get_locale() or "id"), "nav_task_count": count}


def register(app: Flask) -> None:
    app.context_processor(_context)
