"""Engine settings that SQLAlchemy leaves to us.

SQLite: foreign keys on, WAL so that readers never wait, and write requests open their
transaction with BEGIN IMMEDIATE. A deferred transaction that reads and then writes fails
with "database is locked" when another writer came first; IMMEDIATE makes writers queue
(up to the busy timeout) instead, the equivalent of PostgreSQL's SELECT ... FOR UPDATE.
"""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writes() -> bool:
    return has_request_context() and request.method not in READ_METHODS


def configure(engine: Engine) -> None:
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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")
