"""Values every template sees: the language of the screens."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale


def _context() -> dict:
    return {"current_locale": str(get_locale() or "id")}


def register(app: Flask) -> None:
    app.context_processor(_context)
