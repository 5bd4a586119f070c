"""Rows looked up by an integer key that came from outside (a path, a form, a JSON body)."""
from __future__ import annotations

from typing import Any, TypeVar

from app.extensions import db

MAX_KEY = 2**31 - 1  # an INTEGER column of PostgreSQL; a larger key is refused by the database, not missed
Model = TypeVar("Model")


def by_id(model: type[Model], key: Any) -> Model | None:
    """The row with this primary key, or None when no row can have it."""
    if isinstance(key, bool) or not isinstance(key, int) or not 0 < key <= MAX_KEY:
        return None
    return db.session.get(model, key)


def parse_id(raw: str) -> int | None:
    """A key typed as text ("12"), or None for anything else (also "²", which str.isdigit takes)."""
    key = int(raw) if raw.isascii() and raw.isdigit() else None
    return key if key is not None and 0 < key <= MAX_KEY else None
