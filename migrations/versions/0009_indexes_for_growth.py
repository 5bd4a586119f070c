"""indexes that keep the busiest reads flat as the data grows

Revision ID: 0009
Revises: 0008
The portal's current publications and the instance list are read newest first in index order
instead of sorted whole on every request; the bell counts unread notices from an index.
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_publication_current", "publication", ["superseded_by_id", "published_at", "id"]),
    ("ix_instance_newest", "instance", ["created_at", "id"]),
    ("ix_notification_unread", "notification", ["user_id", "read_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
