"""one outbox for e-mail and the webhook

Revision ID: 0011
Revises: 0010
Messages to other systems wait in outbox_message until the worker delivers them: e-mails of
notices and the publication webhook, tried again after a growing pause while delivery fails.

Notices kept the state of their e-mail in three columns (email_claimed_at, email_sent_at,
email_error); those become outbox messages referring to their notice: sent ones delivered, claimed
ones that never finished failed with their error (the worker of before did not try them again),
and the notices of the last day whose e-mail was still to go, pending for an address the person
has. Then the columns go. Downgrade puts the columns back from the messages that refer to a
notice and drops the outbox.
"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SUBJECTS = {"ready": "Tugas baru", "revision": "Perlu revisi", "near_due": "Hampir jatuh tempo",
            "overdue": "Terlambat"}
FOOTER = ("Pesan ini dikirim otomatis oleh aplikasi Penyebarluasan Data —\n"
          "Dinas Komunikasi dan Informatika Kabupaten Magetan.")
PENDING_FOR = timedelta(hours=24)  # the setting MAIL_MAX_AGE_HOURS by default


def _outbox() -> sa.Table:
    return op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
    )


def _message(row, now) -> dict:
    """The outbox message that carries the e-mail state of one notice."""
    title = f": {row.title}" if row.title else ""
    body = f"Yth. {row.full_name},\n\n{row.message}\n\n{FOOTER}"
    message = {"channel": "email", "target": row.email or "", "body": body,
               "subject": f"[Satu Data Magetan] {SUBJECTS.get(row.kind, 'Pemberitahuan')}{title}"[:300],
               "reference": f"notification:{row.id}", "created_at": row.created_at, "due_at": row.created_at,
               "attempts": 0, "claimed_until": None, "delivered_at": None, "failed_at": None, "last_error": None}
    if row.email_sent_at is not None:
        message.update(attempts=1, delivered_at=row.email_sent_at)
    elif row.email_claimed_at is not None:
        message.update(attempts=1, failed_at=row.email_claimed_at,
                       last_error=row.email_error or "terhenti sebelum selesai")
    elif not row.email or row.created_at < now - PENDING_FOR:
        return {}
    return message


# The tables as this revision reads them, typed so that SQLite's stored text comes back as moments.
NOTIFICATION = sa.table("notification", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                        sa.column("instance_id", sa.Integer), sa.column("kind", sa.String),
                        sa.column("message", sa.Text), sa.column("created_at", sa.DateTime),
                        sa.column("email_claimed_at", sa.DateTime), sa.column("email_sent_at", sa.DateTime),
                        sa.column("email_error", sa.Text))
USER = sa.table("user", sa.column("id", sa.Integer), sa.column("email", sa.String), sa.column("full_name", sa.String))
INSTANCE = sa.table("instance", sa.column("id", sa.Integer), sa.column("title", sa.String))
OUTBOX = sa.table("outbox_message", sa.column("reference", sa.String), sa.column("channel", sa.String),
                  sa.column("attempts", sa.Integer), sa.column("delivered_at", sa.DateTime),
                  sa.column("failed_at", sa.DateTime), sa.column("claimed_until", sa.DateTime),
                  sa.column("last_error", sa.Text))


def upgrade():
    outbox = _outbox()
    op.create_index("ix_outbox_message_pending", "outbox_message", ["delivered_at", "failed_at", "due_at"])
    n = NOTIFICATION.c
    rows = op.get_bind().execute(
        sa.select(n.id, n.kind, n.message, n.created_at, n.email_claimed_at, n.email_sent_at, n.email_error,
                  USER.c.email, USER.c.full_name, INSTANCE.c.title)
        .select_from(NOTIFICATION.join(USER, USER.c.id == n.user_id)
                     .outerjoin(INSTANCE, INSTANCE.c.id == n.instance_id))
        .order_by(n.id)).all()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    messages = [m for m in (_message(row, now) for row in rows) if m]
    if messages:
        op.bulk_insert(outbox, messages)
    with op.batch_alter_table("notification") as batch:
        for column in ("email_claimed_at", "email_sent_at", "email_error"):
            batch.drop_column(column)


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("email_claimed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("email_sent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("email_error", sa.Text(), nullable=True))
    bind = op.get_bind()
    o = OUTBOX.c
    rows = bind.execute(sa.select(o.reference, o.delivered_at, o.failed_at, o.claimed_until, o.last_error)
                        .where(o.channel == "email", o.reference.like("notification:%"), o.attempts > 0)).all()
    for row in rows:
        bind.execute(NOTIFICATION.update().where(NOTIFICATION.c.id == int(row.reference.split(":", 1)[1]))
                     .values(email_claimed_at=row.delivered_at or row.failed_at or row.claimed_until,
                             email_sent_at=row.delivered_at, email_error=row.last_error))
    op.drop_index("ix_outbox_message_pending", table_name="outbox_message")
    op.drop_table("outbox_message")
