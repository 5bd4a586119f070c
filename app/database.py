"""Engine settings that SQLAlchemy leaves to us.

SQLite: foreign keys on, WAL so that readers never wait, and write requests open their
transaction with BEGIN IMMEDIATE. A deferred transaction that reads and then writes fails
with "database is locked" when another writer came first; IMMEDIATE makes writers queue
(up to the busy timeout) instead, the equivalent of PostgreSQL's SELECT ... FOR UPDATE.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure(engine: Engine, *, writes: Callable[[], bool]) -> None:
    """``writes`` tells whether the transaction about to begin serves a request that writes."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes() else "BEGIN")
