"""constraint names by the naming convention

Revision ID: 0010
Revises: 0009
Every primary key, unique constraint and foreign key gets the name the models' naming convention
gives it (pk_<table>, uq_<table>_<first column>, fk_<table>_<first column>_<referred table>), the
same on SQLite and PostgreSQL, so that later migrations can drop or alter a constraint by name.

Before: PostgreSQL had named the constraints itself (user_pkey, process_version_process_id_version_key,
user_role_user_id_fkey), SQLite had left them unnamed, and 0007 and 0008 had named six by hand
(fk_dataset_template_id, ...). A database made after the convention came has the convention's names
from 0001 on, apart from those six. So nothing is assumed: the migration reads the names the
database has (pg_constraint; the table definitions on SQLite) and changes only those that differ.
PostgreSQL renames in place (ALTER TABLE ... RENAME CONSTRAINT, which renames the index of a primary
key or unique constraint with it). SQLite cannot rename or name a constraint: a table with a name to
change is rebuilt by Alembic's batch mode (a new table with the new names, the rows copied, the old
table dropped, the new one renamed), with its columns, rows and indexes as they were.

Indexes keep their names: each already has ix_<table>_<column> (SQLAlchemy's default, which the
convention keeps) or the name the models give it (ix_publication_current, ix_instance_newest,
ix_notification_unread, ix_human_task_open_lane), so no ALTER INDEX is needed.

Downgrade: the names from before the convention come back, on both databases: PostgreSQL's own
(<table>_pkey, <table>_<columns>_key, <table>_<columns>_fkey), SQLite's unnamed constraints (the
affected tables rebuilt once more), and the six named by hand. A database that had the convention's
names at 0009 also gets these; compare_metadata sees no difference between the two at 0009.
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The convention as this revision applies it (app/extensions.py holds the models' own).
CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}

TABLES = (
    "api_token", "audit_event", "audit_head", "closed_day", "complaint", "data_template", "dataset",
    "human_task", "instance", "lane_setting", "login_attempt", "notification", "opd", "operator_letter",
    "process_draft", "process_meta", "process_version", "publication", "special_period", "stored_file",
    "task_notice", "user", "user_role",
)

# Named by hand in 0007 and 0008, before the convention; (table, kind, columns) -> name.
HAND_NAMED = {
    ("dataset", "fk", ("checked_by_id",)): "fk_dataset_checked_by_id",
    ("dataset", "fk", ("template_id",)): "fk_dataset_template_id",
    ("dataset", "uq", ("uuid",)): "uq_dataset_uuid",
    ("instance", "fk", ("revision_of_id",)): "fk_instance_revision_of_id",
    ("publication", "fk", ("revises_id",)): "fk_publication_revises_id",
    ("publication", "fk", ("superseded_by_id",)): "fk_publication_superseded_by_id",
}

# PostgreSQL's choice for an unnamed constraint: the table, the columns joined by "_", a suffix
# (none of ours was long enough for PostgreSQL to shorten it to 63 characters).
POSTGRESQL_SUFFIX = {"uq": "key", "fk": "fkey"}


def convention_name(dialect, table, kind, columns, referred):
    return CONVENTION[kind] % {"table_name": table, "column_0_name": columns[0], "referred_table_name": referred}


def former_name(dialect, table, kind, columns, referred):
    if (table, kind, columns) in HAND_NAMED:
        return HAND_NAMED[table, kind, columns]
    if dialect == "sqlite":
        return None
    if kind == "pk":
        return f"{table}_pkey"
    return f"{table}_{'_'.join(columns)}_{POSTGRESQL_SUFFIX[kind]}"


def upgrade():
    _apply(convention_name)


def downgrade():
    _apply(former_name)


def _apply(name_for):
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _rename_postgresql(bind, name_for)
    elif bind.dialect.name == "sqlite":
        _rebuild_sqlite(bind, name_for)
    else:
        raise NotImplementedError(f"constraint names on {bind.dialect.name}")


POSTGRESQL_CONSTRAINTS = sa.text("""
    SELECT rel.relname AS table_name, con.conname AS name, con.contype AS type, ref.relname AS referred,
           ARRAY(SELECT att.attname::text
                 FROM unnest(con.conkey) WITH ORDINALITY AS key(attnum, position)
                 JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = key.attnum
                 ORDER BY key.position) AS columns
    FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    LEFT JOIN pg_class ref ON ref.oid = con.confrelid
    WHERE rel.relnamespace = current_schema()::regnamespace
      AND con.contype IN ('p', 'u', 'f') AND rel.relname = ANY(:tables)
    ORDER BY rel.relname, con.conname
""")
POSTGRESQL_KIND = {"p": "pk", "u": "uq", "f": "fk"}


def _rename_postgresql(bind, name_for):
    quote = bind.dialect.identifier_preparer.quote
    rows = bind.execute(POSTGRESQL_CONSTRAINTS, {"tables": list(TABLES)}).all()
    _check_tables(TABLES, {row.table_name for row in rows})
    for row in rows:
        new = name_for("postgresql", row.table_name, POSTGRESQL_KIND[row.type], tuple(row.columns), row.referred)
        if new != row.name:
            op.execute(f"ALTER TABLE {quote(row.table_name)} RENAME CONSTRAINT {quote(row.name)} TO {quote(new)}")


def _rebuild_sqlite(bind, name_for):
    # Reflected as batch mode reflects (SQLite's expression defaults kept in parentheses); foreign
    # keys are left as "table.column" strings, so only the table itself is read.
    listeners = [("column_reflect", op.get_context().impl.autogen_column_reflect)]
    _check_tables(TABLES, set(sa.inspect(bind).get_table_names()))
    for table_name in TABLES:
        table = sa.Table(table_name, sa.MetaData(), autoload_with=bind, resolve_fks=False, listeners=listeners)
        changed = False
        for constraint in table.constraints:
            columns = tuple(column.name for column in constraint.columns)
            if isinstance(constraint, sa.PrimaryKeyConstraint):
                kind, referred = "pk", None
            elif isinstance(constraint, sa.UniqueConstraint):
                kind, referred = "uq", None
            elif isinstance(constraint, sa.ForeignKeyConstraint):
                kind, referred = "fk", constraint.elements[0].target_fullname.rpartition(".")[0]
            else:
                raise NotImplementedError(f"{table_name}: {constraint!r}")
            new = name_for("sqlite", table_name, kind, columns, referred)
            if constraint.name != new:
                constraint.name = new
                changed = True
        if changed:
            # The reflected table, renamed, is the new table's definition; env.py has foreign keys
            # off, so dropping the old table does not touch the rows that refer to it.
            with op.batch_alter_table(table_name, copy_from=table, recreate="always"):
                pass


def _check_tables(expected, found):
    missing = set(expected) - set(found)
    if missing:
        raise RuntimeError(f"tables missing at revision 0009: {sorted(missing)}")
