"""The test database: PostgreSQL when TEST_DATABASE_URL is set, else SQLite; the OPD registry as
the migrations seed it; scratch databases made beside the suite's own on the PostgreSQL server."""
from __future__ import annotations

import os
import secrets

from sqlalchemy import create_engine, make_url, text

from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
OPD_COLUMNS = "code, name, short_name, address, email, phone, website, active"


def restore_opds(seeded: list[dict]) -> None:
    """Put the OPD registry back as seeded (inside an app context; the caller commits)."""
    codes = {row["code"] for row in seeded}
    for (code,) in db.session.execute(text("SELECT code FROM opd")).all():
        if code not in codes:
            db.session.execute(text("DELETE FROM opd WHERE code = :code"), {"code": code})
    assignments = ", ".join(f"{c} = :{c}" for c in OPD_COLUMNS.split(", ")[1:])
    db.session.execute(text(f"UPDATE opd SET {assignments} WHERE code = :code"), seeded)


def create_scratch_database(prefix: str) -> str:
    """A new empty database on the TEST_DATABASE_URL server (never the suite's own); its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    server.dispose()
