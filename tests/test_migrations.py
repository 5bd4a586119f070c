"""Alembic migrations: from empty to head, matching the models, and back down again."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import ForeignKeyConstraint, MetaData, PrimaryKeyConstraint, UniqueConstraint, inspect, text
from sqlalchemy.exc import IntegrityError
from support.database import TEST_DATABASE_URL, create_scratch_database, drop_scratch_database

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
        assert database_names(db.engine) == model_names()
        assert_autogenerate_finds_nothing(app, tmp_path)
        tables = set(inspect(db.engine).get_table_names())
        assert {"instance", "human_task", "process_version", "login_attempt", "opd"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        assert database_names(db.engine) == model_names()
        db.engine.dispose()


def database_names(engine) -> set[tuple]:
    """Every primary key, unique constraint, foreign key and index the database has, with its name:
    (table, kind, columns, referred table, name)."""
    inspector = inspect(engine)
    names = set()
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        pk = inspector.get_pk_constraint(table)
        names.add((table, "pk", tuple(pk["constrained_columns"]), None, pk["name"]))
        for fk in inspector.get_foreign_keys(table):
            names.add((table, "fk", tuple(fk["constrained_columns"]), fk["referred_table"], fk["name"]))
        for unique in inspector.get_unique_constraints(table):
            names.add((table, "uq", tuple(unique["column_names"]), None, unique["name"]))
        for index in inspector.get_indexes(table):
            if not index.get("duplicates_constraint"):  # PostgreSQL lists a unique constraint's index too
                names.add((table, "ix", tuple(index["column_names"]), None, index["name"]))
    return names


def model_names() -> set[tuple]:
    """The same for the models, named as their metadata's naming convention names them."""
    kinds = {PrimaryKeyConstraint: "pk", ForeignKeyConstraint: "fk", UniqueConstraint: "uq"}
    names = set()
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            referred = constraint.referred_table.name if isinstance(constraint, ForeignKeyConstraint) else None
            columns = tuple(column.name for column in constraint.columns)
            names.add((table.name, kinds[type(constraint)], columns, referred, str(constraint.name)))
        for index in table.indexes:
            names.add((table.name, "ix", tuple(column.name for column in index.columns), None, str(index.name)))
    return names


def assert_autogenerate_finds_nothing(app, tmp_path):
    """`flask db migrate` against the database writes no revision (env.py writes none when
    autogenerate finds no change), run on a copy of the migrations so that nothing lands in ours."""
    directory = tmp_path / "migrations-copy"
    shutil.copytree(Path(app.extensions["migrate"].directory), directory)
    revisions = sorted(path.name for path in (directory / "versions").glob("*.py"))
    result = app.test_cli_runner().invoke(args=["db", "migrate", "--directory", str(directory), "-m", "check"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (directory / "versions").glob("*.py")) == revisions


@contextmanager
def former_naming():
    """Migrations run as before the models had a naming convention. Alembic names what a migration
    leaves unnamed after the target metadata's convention; with SQLAlchemy's default one (indexes
    only) PostgreSQL chooses its own names and SQLite leaves them unnamed, as in every database
    made before 0010."""
    convention = db.metadata.naming_convention
    db.metadata.naming_convention = {"ix": "ix_%(column_0_label)s"}
    try:
        yield
    finally:
        db.metadata.naming_convention = convention


AT = datetime(2025, 3, 4, 5, 6, 7)
# A row in every table that has none at 0009, each foreign key pointing somewhere (the
# self-references of instance and publication too); ids given, except login_attempt's.
ROWS_AT_0009 = {
    "user": [dict(id=1, username="siti", full_name="Siti", password_hash="x", opd_code="dinkes", active=True,
                  created_at=AT, email="siti@magetan.go.id"),
             dict(id=2, username="budi", full_name="Budi", password_hash="y", opd_code=None, active=False,
                  created_at=AT, email=None)],
    "user_role": [dict(id=1, user_id=1, role="desain"), dict(id=2, user_id=2, role="redaktur")],
    "api_token": [dict(id=1, user_id=1, token_hash="h" * 64, created_at=AT, expires_at=AT, revoked_at=None)],
    "login_attempt": [dict(username="siti", address="10.0.0.1", at=AT)],
    "stored_file": [dict(id="f1", sha256="s" * 64, content_type="text/csv", size=3, original_name="a.csv",
                         uploaded_by_id=1, created_at=AT)],
    "process_version": [dict(id=1, process_id="penyebarluasan_data", version=1, name="SOP", bpmn_xml="<x/>",
                             forms={"a.json": {}}, sha256="p" * 64, notes="", deployed_by_id=1, deployed_at=AT)],
    "process_draft": [dict(id=1, process_id="penyebarluasan_data", bpmn_xml="<x/>", forms={}, updated_by_id=1,
                           updated_at=AT)],
    "instance": [dict(id=1, process_version_id=1, title="Infografis", state="completed", data={"k": [1, 2]},
                      engine_state="{}", row_version=3, started_by_id=1, created_at=AT, due_at=AT, completed_at=AT,
                      near_due_at=None, revision_of_id=None, correction_note=""),
                 dict(id=2, process_version_id=1, title="Revisi", state="running", data={}, engine_state="{}",
                      row_version=1, started_by_id=2, created_at=AT, due_at=AT, completed_at=None,
                      near_due_at=AT, revision_of_id=1, correction_note="angka salah")],
    "human_task": [dict(id="t1", instance_id=2, bpmn_id="desain", name="Desain", lane="Tim Desain", role="desain",
                        form="desain.json", assignee_id=1, created_at=AT, due_at=AT, completed_at=None,
                        completed_by_id=None, data=None, draft={"caption": "draf"}, near_due_at=AT)],
    "task_notice": [dict(id=1, task_id="t1", kind="near_due", created_at=AT)],
    "notification": [dict(id=1, user_id=1, kind="assigned", instance_id=2, task_id="t1", message="Tugas baru",
                          created_at=AT, read_at=None, email_claimed_at=None, email_sent_at=None, email_error=None)],
    "lane_setting": [dict(id=1, process_id="penyebarluasan_data", lane="Tim Desain", auto_assign=True)],
    "closed_day": [dict(id=1, day=date(2025, 3, 31), note="Idul Fitri", created_by_id=1, created_at=AT)],
    "special_period": [dict(id=1, start=date(2025, 3, 1), end=date(2025, 3, 30), windows=[["08:00", "14:00"]],
                            note="Ramadan", created_by_id=1, created_at=AT)],
    "audit_event": [dict(id=1, at=AT, user_id=1, action="instance.start", instance_id=1, task_id=None, detail={},
                         role="redaktur", address="10.0.0.1", before=None, after={"state": "running"},
                         prev_hash=None, hash="a" * 64)],
    "data_template": [dict(id=1, opd_code="dinkes", topic="Kesehatan", title="Puskesmas", description="",
                           columns=[{"name": "jumlah"}], active=True, created_by_id=1, created_at=AT,
                           updated_at=None)],
    "dataset": [dict(id=1, title="Penduduk", description="", opd_code="dinkes", period="2024", unit="jiwa",
                     source="", license="", file_id="f1", columns=["a"], preview=[["1"]], row_count=1,
                     is_sample=False, created_by_id=1, created_at=AT, uuid="0" * 36, template_id=1,
                     topic="Kesehatan", year=2024, frequency="tahunan", concept="", method="", contact="",
                     release_date=date(2025, 1, 2), status="ready", return_reason="", submitted_at=AT,
                     checked_by_id=2, checked_at=AT, updated_at=None)],
    "operator_letter": [dict(id=1, user_id=1, opd_code="dinkes", number="800/1", signed_on=date(2025, 1, 1),
                             valid_from=date(2025, 1, 1), valid_until=date(2026, 1, 1), file_id="f1",
                             revoked_at=None, created_by_id=2, created_at=AT)],
    "publication": [dict(id=1, instance_id=1, dataset_id=1, title="Infografis", caption="c", design_file_id="f1",
                         channels=["portal"], links={}, published_at=AT, published_by_id=1, revises_id=None,
                         superseded_by_id=None, correction_note=""),
                    dict(id=2, instance_id=2, dataset_id=1, title="Revisi", caption="c", design_file_id="f1",
                         channels=[], links={}, published_at=AT, published_by_id=1, revises_id=1,
                         superseded_by_id=None, correction_note="angka salah")],
    "complaint": [dict(id=1, ticket="ADU-AAAA-BBBB", instance_id=2, publication_id=1, dataset_id=1, name="Warga",
                       contact="warga@example.org", message="Angka salah", address="10.0.0.2", created_at=AT)],
}


def all_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]
                for table in inspect(engine).get_table_names()}


def test_a_database_from_before_the_naming_convention_takes_its_names_and_keeps_its_rows(empty_database,
                                                                                        tmp_path):
    """A database made before the convention (PostgreSQL's own names, SQLite's unnamed constraints,
    six named by hand) gets the models' names at 0010, and its former ones back at 0009; its rows,
    constraints and ids stay as they were."""
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": empty_database,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    postgresql = empty_database.startswith("postgresql")
    with app.app_context():
        with former_naming():
            upgrade(revision="0009")
        former = database_names(db.engine)
        assert ("user", "pk", ("id",), None, "user_pkey" if postgresql else None) in former
        assert ("user_role", "fk", ("user_id",), "user", "user_role_user_id_fkey" if postgresql else None) in former
        assert ("dataset", "fk", ("template_id",), "data_template", "fk_dataset_template_id") in former
        assert former != model_names()
        with db.engine.begin() as connection:
            tables = MetaData()
            tables.reflect(bind=connection)
            for table, rows in ROWS_AT_0009.items():
                connection.execute(tables.tables[table].insert(), rows)
            connection.execute(text("UPDATE publication SET superseded_by_id = 2 WHERE id = 1"))
        rows = all_rows(db.engine)
        assert all(rows[table] for table in rows if table != "alembic_version")

        upgrade(revision="0010")
        assert all_rows(db.engine) == {**rows, "alembic_version": [("0010",)]}
        upgrade()
        assert database_names(db.engine) == model_names()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        assert_autogenerate_finds_nothing(app, tmp_path)
        # The rebuilt or renamed constraints still hold (ids given: PostgreSQL's sequences never
        # saw the ids above), and new rows still get their ids.
        with pytest.raises(IntegrityError, match="unique|UNIQUE"), db.engine.begin() as connection:
            connection.execute(text("INSERT INTO user_role (id, user_id, role) VALUES (10, 1, 'desain')"))
        with pytest.raises(IntegrityError, match="foreign|FOREIGN"), db.engine.begin() as connection:
            connection.execute(text("INSERT INTO user_role (id, user_id, role) VALUES (11, 99, 'desain')"))
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO login_attempt (username, address, at) VALUES ('a', 'b', :at)"),
                               {"at": AT})
            ids = connection.execute(text("SELECT id FROM login_attempt ORDER BY id")).scalars().all()
            assert len(ids) == 2 and ids[1] > ids[0]
            connection.execute(text("DELETE FROM login_attempt WHERE id = :id"), {"id": ids[1]})

        downgrade(revision="0009")
        assert database_names(db.engine) == former
        assert all_rows(db.engine) == rows
        upgrade()
        assert database_names(db.engine) == model_names()
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


def test_the_outbox_takes_over_the_e_mail_state_of_notices_and_gives_it_back(empty_database, tmp_path):
    """0011: a sent e-mail becomes a delivered message, a claimed one that never finished a failed
    one with its error, a notice of the last day still to be mailed a pending one (for an address
    the person has); downgrading puts the notices' columns back as they were."""
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": empty_database,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    recent = (datetime.now(UTC) - timedelta(hours=2)).replace(tzinfo=None, microsecond=0)
    notices = [  # (id, user, created, claimed, sent, error)
        (1, 1, AT, AT, AT, None), (2, 1, AT, AT, None, "SMTPException: ditolak"), (3, 1, AT, None, None, None),
        (4, 1, recent, None, None, None), (5, 2, recent, None, None, None)]
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            tables = MetaData()
            tables.reflect(bind=connection)
            for table in ("user", "process_version", "instance"):
                connection.execute(tables.tables[table].insert(), ROWS_AT_0009[table])
            connection.execute(tables.tables["notification"].insert(), [
                dict(id=i, user_id=u, kind="ready", instance_id=1, task_id=None, message=f"Pesan {i}", created_at=c,
                     read_at=None, email_claimed_at=claimed, email_sent_at=sent, email_error=error)
                for i, u, c, claimed, sent, error in notices])
        before = all_rows(db.engine)["notification"]
        upgrade(revision="0011")
        with db.engine.connect() as connection:
            messages = connection.execute(text(
                "SELECT reference, channel, target, subject, attempts, delivered_at, failed_at, last_error "
                "FROM outbox_message ORDER BY id")).all()
        assert [(m.reference, m.channel, m.target, m.attempts, m.delivered_at is not None, m.failed_at is not None,
                 m.last_error) for m in messages] == [
            ("notification:1", "email", "siti@magetan.go.id", 1, True, False, None),
            ("notification:2", "email", "siti@magetan.go.id", 1, False, True, "SMTPException: ditolak"),
            ("notification:4", "email", "siti@magetan.go.id", 0, False, False, None)]  # 3: too old; 5: no address
        assert messages[2].subject == "[Satu Data Magetan] Tugas baru: Infografis"
        downgrade(revision="0010")
        assert all_rows(db.engine)["notification"] == before
        db.engine.dispose()
