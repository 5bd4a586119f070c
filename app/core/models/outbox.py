"""Messages to other systems, delivered by the background worker: e-mail and the webhook."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .types import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """One message waiting for delivery, delivered, or given up after its last attempt.

    Written in the transaction of the action it tells of, so it leaves only if that action
    commits; a worker claims it for a while (``claimed_until``), delivers it, and marks it
    delivered, or schedules the next attempt (``due_at``) after a growing pause."""

    __tablename__ = "outbox_message"
    # The worker's question: what is due, not yet delivered nor given up?
    __table_args__ = (Index("ix_outbox_message_pending", "delivered_at", "failed_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "webhook"
    target: Mapped[str] = mapped_column(String(500))  # the address or the URL
    subject: Mapped[str] = mapped_column(String(300), default="")  # e-mail: the subject; webhook: the event
    body: Mapped[str] = mapped_column(Text)
    # What the message tells of, e.g. "notification:12" or "publication:3".
    reference: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
