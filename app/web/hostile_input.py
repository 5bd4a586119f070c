"""Input no part of the app can store or look up is refused at the door, for screens and API.

Text with NUL (PostgreSQL refuses it) or a lone surrogate (a JSON escape such as \\ud800 can
carry one, UTF-8 cannot encode it) answers 400; an id in a path beyond the database's integer
range names nothing, so it answers 404 instead of overflowing a query."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from app.core.errors import BadRequest
from app.core.keys import MAX_KEY

BAD_TEXT = "Permintaan memuat karakter yang tidak diterima: NUL (\\u0000) atau surrogate Unicode tanpa pasangan."


class DatabaseInt(IntegerConverter):
    """<int:…> in routes: only what an integer column can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_KEY)
        super().__init__(map, *args, **kwargs)


def bad_text(value) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(bad_text(k) or bad_text(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(bad_text(v) for v in value)
    return False


def refuse_bad_text() -> None:
    texts = [request.path, *request.args.items(multi=True), *request.form.items(multi=True),
             *(f.filename or "" for f in request.files.values())]
    if bad_text(texts) or (request.is_json and bad_text(request.get_json(silent=True))):
        raise BadRequest(BAD_TEXT)


def register(app: Flask) -> None:
    """Before any route is added: the converter applies to the rules made afterwards."""
    app.url_map.converters["int"] = DatabaseInt
    app.before_request(refuse_bad_text)
