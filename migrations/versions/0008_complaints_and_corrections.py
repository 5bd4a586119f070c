"""complaints and corrections of publications

Revision ID: 0008
Revises: 0007
Complaints from the public, each handled by a run of penanganan_pengaduan; a run may publish
a corrected version of another run's publication, which then supersedes it.
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["instance_id"], ["instance.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id"),
        sa.UniqueConstraint("ticket"),
    )
    for column in ("address", "created_at", "dataset_id", "publication_id"):
        op.create_index(f"ix_complaint_{column}", "complaint", [column])

    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("correction_note", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_instance_revision_of_id", ["revision_of_id"])
        batch_op.create_foreign_key("fk_instance_revision_of_id", "instance", ["revision_of_id"], ["id"])

    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revises_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("correction_note", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_publication_superseded_by_id", ["superseded_by_id"])
        batch_op.create_foreign_key("fk_publication_revises_id", "publication", ["revises_id"], ["id"])
        batch_op.create_foreign_key("fk_publication_superseded_by_id", "publication", ["superseded_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.drop_constraint("fk_publication_superseded_by_id", type_="foreignkey")
        batch_op.drop_constraint("fk_publication_revises_id", type_="foreignkey")
        batch_op.drop_index("ix_publication_superseded_by_id")
        for name in ("correction_note", "superseded_by_id", "revises_id"):
            batch_op.drop_column(name)
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_constraint("fk_instance_revision_of_id", type_="foreignkey")
        batch_op.drop_index("ix_instance_revision_of_id")
        batch_op.drop_column("correction_note")
        batch_op.drop_column("revision_of_id")
    op.drop_table("complaint")
