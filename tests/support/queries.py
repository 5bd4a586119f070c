"""The SELECT statements a request costs, counted on the app's database engine."""
from __future__ import annotations

from sqlalchemy import event

from app.extensions import db


def selects_of(app, client, url):
    """The response to a GET and the number of SELECT statements it cost."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, len(statements)
