"""Which requests write: SQLite opens their transactions with BEGIN IMMEDIATE (app.database)."""
from __future__ import annotations

from flask import has_request_context, request

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_writes() -> bool:
    return has_request_context() and request.method not in READ_METHODS
