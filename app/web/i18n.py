"""The language switch, kept in the session."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session

from app.core.i18n import DEFAULT, LANGUAGES

from .redirects import safe_path

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    return session.get("lang") if session.get("lang") in LANGUAGES else DEFAULT


@bp.post("/bahasa")
def switch():
    code = request.form.get("lang")
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_path(request.form.get("next")))
