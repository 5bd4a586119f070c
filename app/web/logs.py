"""Request ids and logs: every request gets an id, sent back in X-Request-ID and put on every
log record, and one line in the `app.requests` log (method, path, status, duration, user).

LOG_FORMAT "text" writes readable lines, "json" one JSON object per line. The handler sits on
the `app` logger (the app's and its modules' loggers); logging is process-wide, so the last
app created sets the format.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream
from sqlalchemy import inspect

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
log = logging.getLogger("app.requests")


def request_id() -> str:
    """This request's id: the caller's X-Request-ID when it is a sane token, else a new one."""
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: getattr(record, k) for k in REQUEST_FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _handler(log_format: str) -> logging.Handler:
    """The one handler of ours on the `app` logger, (re)configured for this format."""
    logger = logging.getLogger("app")
    logger.removeHandler(default_handler)  # Flask's, which would print every line a second time
    handler = next((h for h in logger.handlers if getattr(h, "request_ids", False)), None)
    if handler is None:
        handler = logging.StreamHandler(wsgi_errors_stream)  # the server's error stream, else stderr
        handler.request_ids = True
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.disabled = log.disabled = False  # a logging.config call may have turned them off
    return handler


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _user_id() -> int | None:
    """The signed-in user, if the request looked them up; read from the identity map, since
    after a commit or a failed database any attribute access would query."""
    state = inspect(g.get("api_user") or g.get("_login_user"), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[HEADER] = rid
    started = g.get("request_started")
    fields = {
        "method": request.method, "path": request.path, "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": _user_id(),
    }
    log.info("%s %s %s %sms user=%s", fields["method"], fields["path"], fields["status"],
             fields["duration_ms"], fields["user_id"] or "-", extra={"request_id": rid, **fields})
    return response


def register(app: Flask) -> None:
    _handler(app.config["LOG_FORMAT"])
    # First of all before_request functions, so that a request refused by another one (CSRF)
    # still has its start time.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
