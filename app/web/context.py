"""Values every template sees: the language of the screens, and the policy, so that a screen
shows what its user may do by asking the same rules the use cases apply."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from app import policy


def _context() -> dict:
    return {"current_locale": str(get_locale() or "id")}


def register(app: Flask) -> None:
    app.context_processor(_context)
    app.add_template_global(policy, "policy")
