"""Language of the screens: Bahasa Indonesia first, English as a switch kept in the session."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session

from .web.redirects import safe_path

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"

bp = Blueprint("i18n", __name__)


def N_(text: str) -> str:
    """Marks a text for translation where it is defined; it is translated where it is shown."""
    return text


def select_locale() -> str:
    return session.get("lang") if session.get("lang") in LANGUAGES else DEFAULT


@bp.post("/bahasa")
def switch():
    code = request.form.get("lang")
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_path(request.form.get("next")))
