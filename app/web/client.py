"""Who is asking: the client's network address, for the audit trail of a request."""
from __future__ import annotations

from flask import Flask, has_request_context, request

from app.core import audit


def address() -> str | None:
    return request.remote_addr if has_request_context() else None


def register(_app: Flask) -> None:
    audit.use_address_source(address)
