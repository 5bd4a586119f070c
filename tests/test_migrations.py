"""Alembic migrations: from empty to head, matching the models, and back down again."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import TEST_DATABASE_URL
from flask_migrate import downgrade, upgrade
from helpers import create_scratch_database, drop_scratch_database
from sqlalchemy import inspect

from app import create_app
from app.extensions import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """An empty database of each kind; PostgreSQL's is made on the TEST_DATABASE_URL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL runs when TEST_DATABASE_URL is set (.ci/run sets it)")
    url = create_scratch_database("h_migrations")
    try:
        yield url
    finally:
        drop_scratch_database(url)


def test_migrations_match_the_models_and_round_trip(empty_database, tmp_path):
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": empty_database,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"instance", "human_task", "process_version", "login_attempt", "opd"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()


def test_catalog_data_survives_the_satu_data_migration(tmp_path):
    """Datasets made before the walidata's check existed stay usable: ready, with a uuid and a year,
    even though rebuilding the referenced tables on SQLite meets live foreign keys."""
    from sqlalchemy import text

    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO stored_file (id, sha256, content_type, size, original_name, created_at) "
                "VALUES ('f1', 'x', 'text/csv', 1, 'a.csv', '2025-01-01')"))
            connection.execute(text(
                "INSERT INTO dataset (title, description, opd_code, period, unit, source, license, file_id, "
                "columns, preview, row_count, is_sample, created_at) VALUES ('Penduduk', '', 'dinkes', "
                "'2024', '', '', '', 'f1', '[]', '[]', 0, 0, '2025-01-01')"))
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT status, year, uuid, opd_code FROM dataset")).one()
            opd = connection.execute(text("SELECT active FROM opd WHERE code = 'dinkes'")).one()
        assert (row.status, row.year, len(row.uuid), row.opd_code) == ("ready", 2024, 36, "dinkes")
        assert opd.active in (1, True)
        db.engine.dispose()
