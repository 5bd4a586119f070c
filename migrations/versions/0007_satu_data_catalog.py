"""Satu Data: OPD registry, operators' appointment letters, data templates, dataset life cycle

Revision ID: 0007
Revises: 0006
Datasets gain the Satu Data metadata and a life cycle checked by the walidata. Data that
was already in the catalog stays usable: it starts as ``ready``.
"""
from uuid import uuid4

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TEXT = {"server_default": ""}


def upgrade():
    with op.batch_alter_table("opd", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(length=50), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("address", sa.String(length=255), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("phone", sa.String(length=50), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("website", sa.String(length=255), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))

    op.create_table(
        "data_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_code", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["opd_code"], ["opd.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_template_opd_code", "data_template", ["opd_code"])

    op.create_table(
        "operator_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opd_code", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["opd_code"], ["opd.code"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operator_letter_opd_code", "operator_letter", ["opd_code"])
    op.create_index("ix_operator_letter_user_id", "operator_letter", ["user_id"])

    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uuid", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("topic", sa.String(length=100), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("frequency", sa.String(length=20), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("concept", sa.Text(), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("method", sa.Text(), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("contact", sa.String(length=255), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("release_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="ready"))
        batch_op.add_column(sa.Column("return_reason", sa.Text(), nullable=False, **TEXT))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("checked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_dataset_status", ["status"])
        batch_op.create_index("ix_dataset_template_id", ["template_id"])
        batch_op.create_index("ix_dataset_topic", ["topic"])
        batch_op.create_index("ix_dataset_year", ["year"])
        batch_op.create_foreign_key("fk_dataset_template_id", "data_template", ["template_id"], ["id"])
        batch_op.create_foreign_key("fk_dataset_checked_by_id", "user", ["checked_by_id"], ["id"])

    dataset = sa.table("dataset", sa.column("id", sa.Integer), sa.column("period", sa.String),
                       sa.column("year", sa.Integer), sa.column("uuid", sa.String))
    conn = op.get_bind()
    for row in conn.execute(sa.select(dataset.c.id, dataset.c.period)).all():
        head = (row.period or "")[:4]
        conn.execute(dataset.update().where(dataset.c.id == row.id).values(
            uuid=str(uuid4()), year=int(head) if head.isdigit() else None))
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.alter_column("uuid", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint("uq_dataset_uuid", ["uuid"])


def downgrade():
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_constraint("uq_dataset_uuid", type_="unique")
        batch_op.drop_constraint("fk_dataset_checked_by_id", type_="foreignkey")
        batch_op.drop_constraint("fk_dataset_template_id", type_="foreignkey")
        for name in ("year", "topic", "template_id", "status"):
            batch_op.drop_index(f"ix_dataset_{name}")
        for name in ("updated_at", "checked_at", "checked_by_id", "submitted_at", "return_reason", "status",
                     "release_date", "contact", "method", "concept", "frequency", "year", "topic", "template_id",
                     "uuid"):
            batch_op.drop_column(name)
    op.drop_table("operator_letter")
    op.drop_table("data_template")
    with op.batch_alter_table("opd", schema=None) as batch_op:
        for name in ("active", "website", "phone", "email", "address", "short_name"):
            batch_op.drop_column(name)
