"""Bearer-token authentication for the JSON API."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from app.core.errors import Unauthorized
from app.core.models import User
from app.core.users import user_for_token


def current_api_user() -> User:
    return g.api_user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Unauthorized("Token tidak ada, tidak valid atau kedaluwarsa.")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
